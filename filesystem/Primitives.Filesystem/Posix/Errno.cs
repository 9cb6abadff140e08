namespace Primitives.Filesystem.Posix;

/// <summary>The Linux error numbers the POSIX layer reports (values as in the Linux ABI).</summary>
public enum Errno
{
    /// <summary>Operation not permitted.</summary>
    EPERM = 1,

    /// <summary>No such file or directory.</summary>
    ENOENT = 2,

    /// <summary>Input/output error.</summary>
    EIO = 5,

    /// <summary>Argument list (here: an attribute value) too long.</summary>
    E2BIG = 7,

    /// <summary>Bad file handle.</summary>
    EBADF = 9,

    /// <summary>Permission denied.</summary>
    EACCES = 13,

    /// <summary>File exists.</summary>
    EEXIST = 17,

    /// <summary>Cross-device link.</summary>
    EXDEV = 18,

    /// <summary>Not a directory.</summary>
    ENOTDIR = 20,

    /// <summary>Is a directory.</summary>
    EISDIR = 21,

    /// <summary>Invalid argument.</summary>
    EINVAL = 22,

    /// <summary>File too large.</summary>
    EFBIG = 27,

    /// <summary>No space left on device.</summary>
    ENOSPC = 28,

    /// <summary>Read-only filesystem.</summary>
    EROFS = 30,

    /// <summary>Too many links.</summary>
    EMLINK = 31,

    /// <summary>Result too large (a buffer too small for an attribute value or list).</summary>
    ERANGE = 34,

    /// <summary>File name too long.</summary>
    ENAMETOOLONG = 36,

    /// <summary>Function not implemented.</summary>
    ENOSYS = 38,

    /// <summary>Directory not empty.</summary>
    ENOTEMPTY = 39,

    /// <summary>No such attribute.</summary>
    ENODATA = 61,

    /// <summary>Operation not supported.</summary>
    EOPNOTSUPP = 95,
}
