using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// An in-memory <see cref="IKeyValueStore"/> for tests and for development mounts
/// (<c>fs mount --memory</c>): one sorted map per btree behind one lock; a commit applies a
/// transaction's updates atomically and returns an increasing sequence number. Nothing is durable:
/// <see cref="FlushAsync"/> only records the flushed sequence (<see cref="FlushedSeq"/>).
/// </summary>
/// <remarks>Thread-safe. Enforces the contract's value size limit, so tests catch oversized values.</remarks>
public sealed class MemoryKeyValueStore : IKeyValueStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BtreeId, Tree> _trees = [];
    private ulong _seq;
    private ulong _flushedSeq;

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

    private int _flushCount;

    /// <inheritdoc />
    public IKeyValueTransaction Begin() => new Transaction(this);

    /// <inheritdoc />
    public ValueTask FlushAsync(ulong seq = 0, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Interlocked.Increment(ref _flushCount);
        ulong target;
        lock (_lock)
        {
            target = seq == 0 ? _seq : Math.Min(seq, _seq);
            if (target > _flushedSeq)
            {
                _flushedSeq = target;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>How many keys <paramref name="btree"/> holds (for tests).</summary>
    public int Count(BtreeId btree)
    {
        lock (_lock)
        {
            return _trees.TryGetValue(btree, out var tree) ? tree.Keys.Count : 0;
        }
    }

    private Tree GetTree(BtreeId btree)
    {
        if (!_trees.TryGetValue(btree, out var tree))
        {
            tree = new Tree();
            _trees.Add(btree, tree);
        }

        return tree;
    }

    private sealed class Tree
    {
        public SortedSet<Bpos> Keys { get; } = [];

        public Dictionary<Bpos, byte[]> Values { get; } = [];
    }

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
                if (store._trees.TryGetValue(btree, out var tree) && tree.Values.TryGetValue(pos, out var v))
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
            if (from > to)
            {
                return [];
            }

            var merged = new SortedDictionary<Bpos, byte[]?>();
            lock (store._lock)
            {
                if (store._trees.TryGetValue(btree, out var tree))
                {
                    foreach (var key in tree.Keys.GetViewBetween(from, to))
                    {
                        merged[key] = tree.Values[key];
                    }
                }
            }

            if (_pending.TryGetValue(btree, out var pending))
            {
                foreach (var (key, v) in pending)
                {
                    if (key >= from && key <= to)
                    {
                        merged[key] = v;
                    }
                }
            }

            return merged.Where(kv => kv.Value is not null)
                .Select(kv => new KeyValuePair<Bpos, ReadOnlyMemory<byte>>(kv.Key, kv.Value))
                .ToList();
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
                            tree.Keys.Remove(key);
                            tree.Values.Remove(key);
                        }
                        else
                        {
                            tree.Keys.Add(key);
                            tree.Values[key] = v;
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
