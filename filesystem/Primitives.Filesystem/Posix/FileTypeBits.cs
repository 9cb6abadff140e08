namespace Primitives.Filesystem.Posix;

/// <summary>The file type and permission bits of <c>st_mode</c> (Linux values).</summary>
public static class FileTypeBits
{
    /// <summary>Mask of the file type bits.</summary>
    public const uint TypeMask = 0xF000; // S_IFMT

    /// <summary>Socket.</summary>
    public const uint Socket = 0xC000;

    /// <summary>Symbolic link.</summary>
    public const uint Symlink = 0xA000;

    /// <summary>Regular file.</summary>
    public const uint Regular = 0x8000;

    /// <summary>Block device.</summary>
    public const uint BlockDevice = 0x6000;

    /// <summary>Directory.</summary>
    public const uint Directory = 0x4000;

    /// <summary>Character device.</summary>
    public const uint CharDevice = 0x2000;

    /// <summary>FIFO.</summary>
    public const uint Fifo = 0x1000;

    /// <summary>Mask of the permission bits, set-id bits and sticky bit.</summary>
    public const uint PermissionMask = 0xFFF;

    /// <summary>The type bits of <paramref name="mode"/>.</summary>
    public static uint TypeOf(uint mode) => mode & TypeMask;

    /// <summary>Whether <paramref name="mode"/> is a directory.</summary>
    public static bool IsDirectory(uint mode) => TypeOf(mode) == Directory;

    /// <summary>Whether <paramref name="mode"/> is a regular file.</summary>
    public static bool IsRegular(uint mode) => TypeOf(mode) == Regular;

    /// <summary>Whether <paramref name="mode"/> is a symbolic link.</summary>
    public static bool IsSymlink(uint mode) => TypeOf(mode) == Symlink;

    /// <summary>The <c>d_type</c> value of a directory entry for <paramref name="mode"/> (DT_REG = 8, DT_DIR = 4...).</summary>
    public static byte DirentType(uint mode) => (byte)(TypeOf(mode) >> 12);
}
