using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A btree node in memory: a leaf holds bsets of keys, an interior node holds child entries.
/// Every node of a mounted filesystem is cached (the sample keeps whole trees in memory and writes
/// them through the node space).
/// </summary>
/// <remarks>
/// <para>Locking: <see cref="Lock"/> (a <see cref="SixLock"/>; interior nodes in per-CPU reader mode)
/// guards the contents: read for lookups, intent to plan a change or to write the node out, write
/// for the short moment of the change. <see cref="Dead"/> is set under write when the node is
/// replaced (split, merge); a path that locked it must start again from its parent.</para>
/// <para>Dirty/pin state (<see cref="Dirty"/>, <see cref="PinSeq"/>, <see cref="FirstDirtySeq"/>,
/// <see cref="CleanAt"/>, <see cref="Location"/>, <see cref="NodeSeq"/>) changes only under intent.</para>
/// </remarks>
internal sealed partial class BtreeNode : IBtreeJournalPin
{
    /// <summary>Bytes of the node header on disk.</summary>
    public const int HeaderSize = 64;

    /// <summary>Bytes of a bset header on disk.</summary>
    public const int BsetHeaderSize = 32;

    private readonly BtreeStore _store;
    private readonly List<Bset>? _bsets;
    private readonly List<ChildRef>? _children;
    private uint _nextBsetSeq;

    private BtreeNode(BtreeStore store, BtreeId btree, int level, Bpos min, Bpos max, List<Bset>? bsets, List<ChildRef>? children)
    {
        _store = store;
        Btree = btree;
        Level = level;
        Min = min;
        Max = max;
        _bsets = bsets;
        _children = children;
        Lock = new SixLock(level > 0 ? SixLockOptions.PerCpuReaders : SixLockOptions.None, level > 0 ? "btree-node#interior" : "btree-node#leaf");
        if (bsets is not null)
        {
            foreach (Bset b in bsets)
            {
                _nextBsetSeq = Math.Max(_nextBsetSeq, b.Seq + 1);
                JournalSeq = Math.Max(JournalSeq, b.JournalSeq);
            }
        }
    }

    public static BtreeNode NewLeaf(BtreeStore store, BtreeId btree, Bpos min, Bpos max, List<Bset> bsets) =>
        new(store, btree, 0, min, max, bsets, null);

    public static BtreeNode NewInterior(BtreeStore store, BtreeId btree, int level, Bpos min, Bpos max, List<ChildRef> children) =>
        new(store, btree, level, min, max, null, children);

    public BtreeId Btree { get; }

    public int Level { get; }

    public bool IsLeaf => Level == 0;

    public Bpos Min { get; }

    public Bpos Max { get; }

    public SixLock Lock { get; }

    /// <summary>Where the node's current contents are written; null before its first write.</summary>
    public NodeLocation? Location { get; set; }

    /// <summary>The store-wide write version of the image at <see cref="Location"/> (the node seq in its header; 0 before the first write).</summary>
    public ulong NodeSeq { get; set; }

    /// <summary>The node has changes not written to <see cref="Location"/>.</summary>
    public bool Dirty { get; set; }

    /// <summary>The journal sequence this node pins (0: not pinned).</summary>
    public ulong PinSeq { get; set; }

    /// <summary>
    /// The journal sequence of the first journalled change since the node was last written (0: none).
    /// A node dirtied again while its write waits to become durable keeps its pin; once the write is
    /// durable the pin moves here, never backwards.
    /// </summary>
    public ulong FirstDirtySeq { get; set; }

    /// <summary>When clean: the journal sequence that must be durable before the node's writes are reachable (its pin may go then).</summary>
    public ulong CleanAt { get; set; }

    /// <summary>The newest journal sequence whose updates the node holds.</summary>
    public ulong JournalSeq { get; set; }

    /// <summary>Replaced by a split or merge: unreachable from the tree.</summary>
    public volatile bool Dead;

    public List<Bset> Bsets => _bsets ?? throw new InvalidOperationException("an interior node has no bsets");

    public List<ChildRef> Children => _children ?? throw new InvalidOperationException("a leaf has no children");

    /// <summary>The bytes the node takes on disk in its current (uncompacted) form.</summary>
    public int UsedBytes
    {
        get
        {
            int used = HeaderSize;
            if (_bsets is not null)
            {
                foreach (Bset b in _bsets)
                {
                    used += BsetHeaderSize + b.Bytes;
                }
            }
            else
            {
                used += BsetHeaderSize;
                foreach (ChildRef c in _children!)
                {
                    used += c.EncodedSize;
                }
            }

            return used;
        }
    }

    /// <inheritdoc />
    ValueTask IBtreeJournalPin.FlushAsync(CancellationToken cancellationToken) => _store.FlushForReclaimAsync(this, cancellationToken);

    /// <inheritdoc />
    public override string ToString() => $"{Btree} L{Level} [{Min}, {Max}] {(Location is { } l ? l.ToString() : "unwritten")}{(Dirty ? " dirty" : "")}{(Dead ? " dead" : "")}";
}
