namespace Primitives.Filesystem.Btrees;

/// <summary>A snapshot of one btree node, for fsck, dumps and tests.</summary>
/// <param name="Btree">The btree.</param>
/// <param name="Level">The level (0: leaf).</param>
/// <param name="Min">The smallest position it covers.</param>
/// <param name="Max">The largest position it covers.</param>
/// <param name="Location">Where it was last written (null: never written, a new root).</param>
/// <param name="Dirty">Whether it has unwritten changes.</param>
/// <param name="Keys">Live keys (leaf) or children (interior).</param>
/// <param name="Bsets">Bsets in memory (leaf) or 1.</param>
/// <param name="UsedBytes">Bytes its current image takes.</param>
public readonly record struct BtreeNodeInfo(BtreeId Btree, int Level, Bpos Min, Bpos Max, NodeLocation? Location, bool Dirty, int Keys, int Bsets, int UsedBytes);
