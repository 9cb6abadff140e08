namespace Primitives.Filesystem.Data;

/// <summary>
/// User data space: writes land sequentially in buckets the allocator hands out for user data;
/// space is released by journal sequence (a bucket whose data is all released becomes reusable
/// only once the journal entry that released it is durable).
/// </summary>
public interface IDataStore
{
    /// <summary>The allocation unit: every write uses a multiple of this many bytes.</summary>
    int BlockSize { get; }

    /// <summary>Writes <paramref name="data"/> (1 byte to one bucket's size) to new space; durable after the next flush.</summary>
    ValueTask<DataPointer> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Reads the data of <paramref name="pointer"/> into <paramref name="destination"/> (at least pointer.Length bytes).</summary>
    ValueTask ReadAsync(DataPointer pointer, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>Releases the space of <paramref name="pointer"/>, dropped from the btrees by the commit with sequence <paramref name="journalSeq"/>.</summary>
    void Release(DataPointer pointer, ulong journalSeq);
}
