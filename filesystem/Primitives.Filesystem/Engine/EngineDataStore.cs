using System.Diagnostics;
using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Engine;

/// <summary>The data store a mounted filesystem hands out: the bucket data store behind the write gate, with statistics.</summary>
/// <remarks>Thread-safe as the inner store is.</remarks>
internal sealed class EngineDataStore : IDataStore
{
    private readonly IDataStore _inner;
    private readonly WriteGate _gate;
    private readonly EngineStatistics _stats;

    public EngineDataStore(IDataStore inner, WriteGate gate, EngineStatistics stats)
    {
        _inner = inner;
        _gate = gate;
        _stats = stats;
    }

    public int BlockSize => _inner.BlockSize;

    public async ValueTask<DataPointer> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await _gate.EnterAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long start = Stopwatch.GetTimestamp();
            var pointer = await _inner.WriteAsync(data, cancellationToken).ConfigureAwait(false);
            _stats.DataWriteDone(start, data.Length);
            return pointer;
        }
        finally
        {
            _gate.Exit();
        }
    }

    public async ValueTask ReadAsync(DataPointer pointer, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        await _inner.ReadAsync(pointer, destination, cancellationToken).ConfigureAwait(false);
        _stats.DataReadDone((int)pointer.Length);
    }

    public void Release(DataPointer pointer, ulong journalSeq) => _inner.Release(pointer, journalSeq);
}
