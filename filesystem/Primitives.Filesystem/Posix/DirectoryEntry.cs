namespace Primitives.Filesystem.Posix;

/// <summary>One entry returned by <see cref="PosixFilesystem.ReadDirectory"/>.</summary>
/// <param name="Name">The entry's name ("." and ".." included).</param>
/// <param name="Ino">The inode it names.</param>
/// <param name="Type">Its <c>d_type</c> (DT_DIR = 4, DT_REG = 8, DT_LNK = 10...).</param>
/// <param name="NextOffset">The offset to pass to continue after this entry (a stable cookie).</param>
public sealed record DirectoryEntry(byte[] Name, ulong Ino, byte Type, long NextOffset);
