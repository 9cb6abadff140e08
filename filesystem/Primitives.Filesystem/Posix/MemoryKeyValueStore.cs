using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// An in-memory <see cref="IKeyValueStore"/> for tests and for development mounts
/// (<c>fs mount --memory</c>): one sorted list per btree behind one lock; a commit applies a
/// transaction's updates atomically and returns an increasing sequence number. Nothing is durable:
/// <see cref="FlushAsync"/> only records the flushed sequence (<see cref="FlushedSeq"/>).
/// </summary>
/// <remarks>
/// Thread-safe. Ranges are read lazily in chunks of <see cref="RangeChunk"/> keys (the lock is not
/// held between chunks, so a range sees each key as of when its chunk was read, as the engine's
/// per-key isolation allows). Enforces the contract's value size limit, so tests catch oversized values.
/// </remarks>
public sealed class MemoryKeyValueStore : IKeyValueStore
{
    /// <summary>Keys copied out per lock hold while enumerating a range.</summary>
    private const int RangeChunk = 128;

    private readonly Lock _lock = new();
    private readonly Dictionary<BtreeId, SortedList<Bpos, byte[]>> _trees = [];
    private ulong _seq;
    private ulong _flushedSeq;
    private int _flushCount;

    /// <summary>The sequence number of the last commit.</summary>
    public ulong CommittedSeq
    {
        get
        {
            lock (_lock)
            {
                return _seq;
            }
        }
    }

    /// <summary>The highest sequence number a flush has covered.</summary>
    public ulong FlushedSeq => Volatile.Read(ref _flushedSeq);

    /// <summary>How many flushes were asked for.</summary>
    public int FlushCount => Volatile.Read(ref _flushCount);

    /// <inheritdoc />
    public IKeyValueTransaction Begin() => new Transaction(this);

    /// <inheritdoc />
    public ValueTask FlushAsync(ulong seq = 0, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _flushCount);
        lock (_lock)
        {
            ulong target = seq == 0 ? _seq : Math.Min(seq, _seq);
            if (target > _flushedSeq)
            {
                Volatile.Write(ref _flushedSeq, target);
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>How many keys <paramref name="btree"/> holds (for tests).</summary>
    public int Count(BtreeId btree)
    {
        lock (_lock)
        {
            return _trees.TryGetValue(btree, out var tree) ? tree.Count : 0;
        }
    }

    private SortedList<Bpos, byte[]> GetTree(BtreeId btree)
    {
        if (!_trees.TryGetValue(btree, out var tree))
        {
            tree = [];
            _trees.Add(btree, tree);
        }

        return tree;
    }

    /// <summary>Up to <see cref="RangeChunk"/> committed keys in [from, to], copied under the lock.</summary>
    private List<KeyValuePair<Bpos, byte[]>> ReadChunk(BtreeId btree, Bpos from, Bpos to)
    {
        var chunk = new List<KeyValuePair<Bpos, byte[]>>();
        lock (_lock)
        {
            if (!_trees.TryGetValue(btree, out var tree))
            {
                return chunk;
            }

            var keys = tree.Keys;
            int lo = 0, hi = keys.Count;
            while (lo < hi)
            {
                int mid = (lo + hi) >>> 1;
                if (keys[mid] < from)
                {
                    lo = mid + 1;
                }
                else
                {
                    hi = mid;
                }
            }

            var values = tree.Values;
            for (int i = lo; i < keys.Count && keys[i] <= to && chunk.Count < RangeChunk; i++)
            {
                chunk.Add(new(keys[i], values[i]));
            }
        }

        return chunk;
    }

    private static Bpos Successor(Bpos pos) =>
        pos.Offset == ulong.MaxValue ? new Bpos(pos.Inode + 1, 0) : new Bpos(pos.Inode, pos.Offset + 1);

    private sealed class Transaction(MemoryKeyValueStore store) : IKeyValueTransaction
    {
        // null value = delete.
        private readonly Dictionary<BtreeId, SortedDictionary<Bpos, byte[]?>> _pending = [];
        private bool _done;

        public bool TryGet(BtreeId btree, Bpos pos, out ReadOnlyMemory<byte> value)
        {
            ThrowIfDone();
            if (_pending.TryGetValue(btree, out var pending) && pending.TryGetValue(pos, out var p))
            {
                value = p;
                return p is not null;
            }

            lock (store._lock)
            {
                if (store._trees.TryGetValue(btree, out var tree) && tree.TryGetValue(pos, out var v))
                {
                    value = v;
                    return true;
                }
            }

            value = default;
            return false;
        }

        public IEnumerable<KeyValuePair<Bpos, ReadOnlyMemory<byte>>> Range(BtreeId btree, Bpos from, Bpos to)
        {
            ThrowIfDone();
            var pending = _pending.TryGetValue(btree, out var p)
                ? p.Where(kv => kv.Key >= from && kv.Key <= to).ToList()
                : [];
            return from > to ? [] : Merge(btree, from, to, pending);
        }

        private IEnumerable<KeyValuePair<Bpos, ReadOnlyMemory<byte>>> Merge(BtreeId btree, Bpos from, Bpos to, List<KeyValuePair<Bpos, byte[]?>> pending)
        {
            int pi = 0;
            Bpos cursor = from;
            while (true)
            {
                var chunk = store.ReadChunk(btree, cursor, to);
                bool more = chunk.Count == RangeChunk;
                Bpos chunkEnd = more ? chunk[^1].Key : to;
                int ci = 0;
                while (ci < chunk.Count || (pi < pending.Count && pending[pi].Key <= chunkEnd))
                {
                    bool takePending = ci >= chunk.Count || (pi < pending.Count && pending[pi].Key <= chunk[ci].Key);
                    if (takePending)
                    {
                        var (key, value) = pending[pi++];
                        if (ci < chunk.Count && chunk[ci].Key == key)
                        {
                            ci++; // the transaction's own update hides the committed value
                        }

                        if (value is not null)
                        {
                            yield return new(key, value);
                        }
                    }
                    else
                    {
                        var (key, value) = chunk[ci++];
                        yield return new(key, value);
                    }
                }

                if (!more || chunkEnd == Bpos.Max)
                {
                    yield break;
                }

                cursor = Successor(chunkEnd);
            }
        }

        public void Set(BtreeId btree, Bpos pos, ReadOnlySpan<byte> value)
        {
            ThrowIfDone();
            if (value.Length > IKeyValueTransaction.MaxValueSize)
            {
                throw new ArgumentException($"value of {value.Length} bytes exceeds {IKeyValueTransaction.MaxValueSize}", nameof(value));
            }

            Pending(btree)[pos] = value.ToArray();
        }

        public void Delete(BtreeId btree, Bpos pos)
        {
            ThrowIfDone();
            Pending(btree)[pos] = null;
        }

        public ulong Commit()
        {
            ThrowIfDone();
            _done = true;
            if (_pending.Count == 0)
            {
                return 0;
            }

            lock (store._lock)
            {
                foreach (var (btree, updates) in _pending)
                {
                    var tree = store.GetTree(btree);
                    foreach (var (key, v) in updates)
                    {
                        if (v is null)
                        {
                            tree.Remove(key);
                        }
                        else
                        {
                            tree[key] = v;
                        }
                    }
                }

                return ++store._seq;
            }
        }

        public void Dispose() => _done = true;

        private SortedDictionary<Bpos, byte[]?> Pending(BtreeId btree)
        {
            if (!_pending.TryGetValue(btree, out var pending))
            {
                pending = [];
                _pending.Add(btree, pending);
            }

            return pending;
        }

        private void ThrowIfDone() => ObjectDisposedException.ThrowIf(_done, this);
    }
}
