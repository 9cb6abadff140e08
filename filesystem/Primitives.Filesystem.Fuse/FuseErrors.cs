using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Fuse;

/// <summary>Maps engine errors to errno values for FUSE replies.</summary>
internal static class FuseErrors
{
    /// <summary>The errno for <paramref name="e"/>: a POSIX error's own, ENOSPC/EROFS for the engine's no-space and read-only/frozen errors (by type name, so engine types need no reference here), else EIO.</summary>
    public static int ErrnoOf(Exception e)
    {
        if (e is PosixException p)
        {
            return (int)p.Errno;
        }

        string name = e.GetType().Name;
        if (name.Contains("NoSpace", StringComparison.OrdinalIgnoreCase))
        {
            return (int)Errno.ENOSPC;
        }

        if (name.Contains("ReadOnly", StringComparison.OrdinalIgnoreCase) || name.Contains("Frozen", StringComparison.OrdinalIgnoreCase))
        {
            return (int)Errno.EROFS;
        }

        return (int)Errno.EIO;
    }
}
