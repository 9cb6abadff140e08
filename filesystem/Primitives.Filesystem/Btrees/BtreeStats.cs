namespace Primitives.Filesystem.Btrees;

/// <summary>Counters of a <see cref="BtreeStore"/> (monotonic; read any time).</summary>
/// <param name="Commits">Transactions committed with updates.</param>
/// <param name="Restarts">Lock restarts: a busy lock out of order made an operation drop its locks.</param>
/// <param name="RelockFailures">Restarts after which relocking by sequence failed and the path was traversed again.</param>
/// <param name="Splits">Node splits.</param>
/// <param name="Merges">Leaf merges.</param>
/// <param name="RootGrowths">Times a tree grew a level.</param>
/// <param name="NodeWrites">Node images written (copy-on-write).</param>
/// <param name="Compactions">Leaf compactions (all bsets sorted into one).</param>
public readonly record struct BtreeStats(long Commits, long Restarts, long RelockFailures, long Splits, long Merges, long RootGrowths, long NodeWrites, long Compactions);
