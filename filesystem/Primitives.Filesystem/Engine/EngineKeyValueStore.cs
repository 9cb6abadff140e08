using System.Diagnostics;
using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The key/value store a mounted filesystem hands out: the btrees' store behind the write gate
/// (freeze, read-only) with commit and flush latency recorded in <see cref="EngineStatistics"/>.
/// </summary>
/// <remarks>Thread-safe as the inner store is; each transaction belongs to one thread at a time.</remarks>
internal sealed class EngineKeyValueStore : IKeyValueStore
{
    private readonly IKeyValueStore _inner;
    private readonly WriteGate _gate;
    private readonly EngineStatistics _stats;
    private readonly Func<ulong, CancellationToken, ValueTask> _flush;
    private readonly Action? _afterCommit;

    public EngineKeyValueStore(IKeyValueStore inner, WriteGate gate, EngineStatistics stats, Func<ulong, CancellationToken, ValueTask> flush, Action? afterCommit)
    {
        _inner = inner;
        _gate = gate;
        _stats = stats;
        _flush = flush;
        _afterCommit = afterCommit;
    }

    public IKeyValueTransaction Begin() => new Transaction(this, _inner.Begin());

    public async ValueTask FlushAsync(ulong seq = 0, CancellationToken cancellationToken = default)
    {
        long start = Stopwatch.GetTimestamp();
        await _flush(seq, cancellationToken).ConfigureAwait(false);
        _stats.FlushDone(start);
    }

    private sealed class Transaction : IKeyValueTransaction
    {
        private readonly EngineKeyValueStore _owner;
        private readonly IKeyValueTransaction _inner;
        private int _updates;

        public Transaction(EngineKeyValueStore owner, IKeyValueTransaction inner)
        {
            _owner = owner;
            _inner = inner;
        }

        public bool TryGet(BtreeId btree, Bpos pos, out ReadOnlyMemory<byte> value) => _inner.TryGet(btree, pos, out value);

        public IEnumerable<KeyValuePair<Bpos, ReadOnlyMemory<byte>>> Range(BtreeId btree, Bpos from, Bpos to) => _inner.Range(btree, from, to);

        public void Set(BtreeId btree, Bpos pos, ReadOnlySpan<byte> value)
        {
            _inner.Set(btree, pos, value);
            _updates++;
        }

        public void Delete(BtreeId btree, Bpos pos)
        {
            _inner.Delete(btree, pos);
            _updates++;
        }

        public ulong Commit()
        {
            if (_updates == 0)
            {
                return _inner.Commit();
            }

            _owner._gate.Enter();
            try
            {
                long start = Stopwatch.GetTimestamp();
                ulong seq = _inner.Commit();
                _owner._stats.CommitDone(start, _updates);
                _owner._afterCommit?.Invoke();
                return seq;
            }
            finally
            {
                _owner._gate.Exit();
            }
        }

        public void Dispose() => _inner.Dispose();
    }
}
