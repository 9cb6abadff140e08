namespace Primitives.Filesystem.Posix;

/// <summary>Tunables of <see cref="PosixFilesystem"/>.</summary>
public sealed class PosixOptions
{
    /// <summary>
    /// The longest extent in bytes (a multiple of the data store's block size): large writes are
    /// cut into extents of this size, and a split rewrites at most one extent's worth of data.
    /// 64 KiB keeps read-modify-write and split costs small while a 1 MiB write is only 16 keys.
    /// </summary>
    public int MaxExtentBytes { get; init; } = 64 * 1024;

    /// <summary>The name hash of directory entries and xattrs (tests plug in a colliding one).</summary>
    public NameHashFunction NameHash { get; init; } = Posix.NameHash.Fnv1a;

    /// <summary>
    /// How many <c>SixLock</c>s serialise inode updates (inodes share them by hash). A power of two;
    /// 1024 makes false sharing between busy inodes rare at 8 bytes of state and a waiter list each.
    /// </summary>
    public int LockStripes { get; init; } = 1024;

    /// <summary>Whether opening the filesystem frees inodes left with no link (a crash after an unlink of an open file).</summary>
    public bool FreeOrphansOnOpen { get; init; } = true;
}
