using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Tests.Fuse;

/// <summary>A fault-injecting data store: after <c>healthyReads</c> reads, every read returns one flipped byte.</summary>
internal sealed class CorruptingDataStore(IDataStore inner, int healthyReads) : IDataStore
{
    private int _reads;

    public int BlockSize => inner.BlockSize;

    public ValueTask<DataPointer> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default) => inner.WriteAsync(data, cancellationToken);

    public async ValueTask ReadAsync(DataPointer pointer, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        await inner.ReadAsync(pointer, destination, cancellationToken).ConfigureAwait(false);
        if (Interlocked.Increment(ref _reads) > healthyReads)
        {
            destination.Span[(int)(pointer.Length / 2)] ^= 0x5A;
        }
    }

    public void Release(DataPointer pointer, ulong journalSeq) => inner.Release(pointer, journalSeq);
}
