using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Thrown inside a btree operation when taking a lock would risk a deadlock (the lock is busy and
/// the operation holds locks that come after it in the lock order). The operation drops every lock,
/// waits for the busy one while holding nothing, and relocks by sequence or traverses again.
/// Never escapes the btree code.
/// </summary>
internal sealed class BtreeRestartException(BtreeNode node, SixLockType type)
    : Exception($"restart: {type} on {node} would wait out of lock order")
{
    public BtreeNode Node { get; } = node;

    public SixLockType Type { get; } = type;
}
