using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The node locks one btree operation holds, and the rule that keeps operations deadlock-free.
/// </summary>
/// <remarks>
/// <para><b>Lock order.</b> Nodes are ordered by (btree id, level descending, min key): a root comes
/// before its children, and leaves left to right. Every lock is first tried without waiting. If it is
/// busy, the operation may wait only when everything it holds comes before the node in that order
/// (for write, which waits only for readers: everything it holds in write, and it holds no read
/// locks); otherwise it throws <see cref="BtreeRestartException"/>: the caller drops all locks
/// (<see cref="DropForRestart"/>), which also waits for the busy lock while holding nothing, then
/// relocks what it had by sequence (<see cref="TryRelock"/>) or traverses again.</para>
/// <para>Why that is enough: readers and intent takers wait only for nodes after everything they hold,
/// and never while holding an interior read (<see cref="BtreeStore.Descend"/> drops the parent first),
/// so a writer waiting for an interior node's readers to drain always sees them leave; writers take
/// write in order and hold no read locks, and read holders on leaves wait only in ascending order.
/// A cycle of waiters would need the order to decrease somewhere.</para>
/// <para>Owned by one thread (sync <see cref="SixLock"/> intent/write holds are thread-owned).</para>
/// </remarks>
internal sealed class BtreeLockSet(BtreeStore store)
{
    private readonly List<(BtreeNode Node, SixLockType Type)> _held = [];
    private readonly List<(BtreeNode Node, SixLockType Type, int Seq)> _remembered = [];

    public int Count => _held.Count;

    /// <summary>Takes <paramref name="type"/> on <paramref name="node"/> or throws <see cref="BtreeRestartException"/>.</summary>
    public void Acquire(BtreeNode node, SixLockType type)
    {
        if (!node.Lock.TryLock(type))
        {
            if (!MayWait(node, type))
            {
                throw new BtreeRestartException(node, type);
            }

            node.Lock.Lock(type);
        }

        _held.Add((node, type));
    }

    /// <summary>Takes <paramref name="type"/> on <paramref name="node"/> if it is free now; never waits.</summary>
    public bool TryAcquire(BtreeNode node, SixLockType type)
    {
        if (!node.Lock.TryLock(type))
        {
            return false;
        }

        _held.Add((node, type));
        return true;
    }

    /// <summary>Whether <paramref name="node"/> is held in <paramref name="type"/>.</summary>
    public bool Holds(BtreeNode node, SixLockType type)
    {
        foreach (var (n, t) in _held)
        {
            if (ReferenceEquals(n, node) && t == type)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Releases one hold of <paramref name="type"/> on <paramref name="node"/>.</summary>
    public void Release(BtreeNode node, SixLockType type)
    {
        for (int i = _held.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(_held[i].Node, node) && _held[i].Type == type)
            {
                _held.RemoveAt(i);
                node.Lock.Unlock(type);
                return;
            }
        }

        throw new InvalidOperationException($"{type} is not held on {node}");
    }

    /// <summary>Releases everything, newest first (write before the intent under it).</summary>
    public void ReleaseAll()
    {
        for (int i = _held.Count - 1; i >= 0; i--)
        {
            var (node, type) = _held[i];
            node.Lock.Unlock(type);
        }

        _held.Clear();
    }

    /// <summary>
    /// Restart: remembers the leaf intent and read holds with their sequence numbers (interior holds
    /// are transient, taken while walking down), drops every lock,
    /// then waits for the lock that was busy while holding nothing (take it, release it).
    /// </summary>
    public void DropForRestart(BtreeRestartException restart)
    {
        store.CountRestart();
        _remembered.Clear();
        foreach (var (node, type) in _held)
        {
            if (type != SixLockType.Write && node.IsLeaf)
            {
                _remembered.Add((node, type, node.Lock.Seq));
            }
        }

        ReleaseAll();
        BtreeNode busy = restart.Node;
        if (restart.Type == SixLockType.Write)
        {
            // Write waits for readers: wait until a reader can get in, i.e. the writer ahead is gone.
            busy.Lock.Lock(SixLockType.Read);
            busy.Lock.Unlock(SixLockType.Read);
        }
        else
        {
            busy.Lock.Lock(restart.Type);
            busy.Lock.Unlock(restart.Type);
        }
    }

    /// <summary>
    /// Retakes what <see cref="DropForRestart"/> remembered, in the original order, each only if its
    /// sequence has not moved (nobody wrote the node) and it is still in the tree. On failure holds
    /// nothing and the caller traverses again.
    /// </summary>
    public bool TryRelock()
    {
        foreach (var (node, type, seq) in _remembered)
        {
            if (node.Dead || !node.Lock.TryRelock(type, seq))
            {
                ReleaseAll();
                _remembered.Clear();
                store.CountRelockFailure();
                return false;
            }

            _held.Add((node, type));
            if (node.Dead)
            {
                ReleaseAll();
                _remembered.Clear();
                store.CountRelockFailure();
                return false;
            }
        }

        _remembered.Clear();
        return true;
    }

    private bool MayWait(BtreeNode node, SixLockType type)
    {
        foreach (var (held, heldType) in _held)
        {
            if (ReferenceEquals(held, node))
            {
                continue;
            }

            if (type == SixLockType.Write)
            {
                if (heldType == SixLockType.Read || (heldType == SixLockType.Write && Compare(held, node) >= 0))
                {
                    return false;
                }
            }
            else if (Compare(held, node) >= 0)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The lock order: btree id, then level descending, then min key.</summary>
    public static int Compare(BtreeNode a, BtreeNode b)
    {
        int c = a.Btree.CompareTo(b.Btree);
        if (c != 0)
        {
            return c;
        }

        c = b.Level.CompareTo(a.Level);
        return c != 0 ? c : a.Min.CompareTo(b.Min);
    }
}
