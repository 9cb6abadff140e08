namespace Primitives.Filesystem.Posix;

/// <summary>What <c>statfs</c> reports.</summary>
/// <param name="BlockSize">The fundamental block size (f_bsize, f_frsize).</param>
/// <param name="TotalBlocks">Blocks in the filesystem.</param>
/// <param name="FreeBlocks">Free blocks (also reported as available to unprivileged users).</param>
/// <param name="TotalInodes">Inode numbers the filesystem can hand out.</param>
/// <param name="FreeInodes">Inode numbers not yet handed out.</param>
/// <param name="MaxNameLength">The longest file name.</param>
public sealed record FilesystemStatistics(long BlockSize, long TotalBlocks, long FreeBlocks, long TotalInodes, long FreeInodes, int MaxNameLength);
