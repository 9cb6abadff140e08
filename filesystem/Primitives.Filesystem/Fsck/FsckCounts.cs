namespace Primitives.Filesystem.Fsck;

/// <summary>How much fsck looked at.</summary>
/// <param name="Buckets">Alloc keys (buckets) checked.</param>
/// <param name="Nodes">Btree nodes read and checksummed.</param>
/// <param name="Keys">Btree keys visited.</param>
/// <param name="DataPointers">Data extents checked against the alloc keys.</param>
/// <param name="JournalEntries">Journal entries read at mount (replayed).</param>
/// <param name="PosixChecked">Whether dirents, inodes and link counts were checked (the POSIX layer's key formats were available).</param>
public sealed record FsckCounts(long Buckets, long Nodes, long Keys, long DataPointers, long JournalEntries, bool PosixChecked)
{
    /// <inheritdoc />
    public override string ToString()
        => $"{Buckets} buckets, {Nodes} btree nodes, {Keys} keys, {DataPointers} data pointers, {JournalEntries} journal entries replayed{(PosixChecked ? ", dirents/inodes/link counts checked" : string.Empty)}";
}
