namespace Primitives.Filesystem.Format;

/// <summary>What <see cref="SuperblockIO.ReadAsync"/> found.</summary>
/// <param name="Superblock">The superblock in use: the primary, or the newest valid backup.</param>
/// <param name="Offset">The byte offset of the copy it came from.</param>
/// <param name="FromBackup">Whether the primary was damaged and a backup was used.</param>
/// <param name="Problems">What was wrong (damaged primary, damaged layout, damaged backups), one line each; empty when all is well.</param>
public sealed record SuperblockReadResult(Superblock Superblock, long Offset, bool FromBackup, IReadOnlyList<string> Problems);
