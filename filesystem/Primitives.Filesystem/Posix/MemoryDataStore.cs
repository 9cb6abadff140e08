using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// An in-memory <see cref="IDataStore"/> for tests and development mounts: every write gets a
/// fresh bucket number holding a copy of the data; <see cref="Release"/> frees it at once and
/// throws on a pointer that is not live (a double release or a stale pointer is a bug of the
/// caller). Space is bounded by a capacity, counted in whole blocks, for <c>statfs</c> and ENOSPC.
/// </summary>
/// <remarks>Thread-safe.</remarks>
public sealed class MemoryDataStore : IDataStore, IFilesystemSpace
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ulong, byte[]> _buckets = [];
    private ulong _nextBucket = 1;
    private long _usedBytes;

    /// <summary>Creates a store of <paramref name="capacityBytes"/> bytes in blocks of <paramref name="blockSize"/> bytes.</summary>
    /// <param name="capacityBytes">Total space, at least one block.</param>
    /// <param name="blockSize">Allocation unit: a power of two from 512 to 65536.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range.</exception>
    public MemoryDataStore(long capacityBytes = 1L << 30, int blockSize = 4096)
    {
        if (blockSize < 512 || blockSize > 65536 || (blockSize & (blockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "must be a power of two from 512 to 65536");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(capacityBytes, blockSize);
        TotalBytes = capacityBytes;
        BlockSize = blockSize;
    }

    /// <inheritdoc />
    public int BlockSize { get; }

    /// <inheritdoc />
    public long TotalBytes { get; }

    /// <inheritdoc />
    public long FreeBytes => TotalBytes - Volatile.Read(ref _usedBytes);

    /// <summary>How many pointers are live (written and not released).</summary>
    public int LivePointers
    {
        get
        {
            lock (_lock)
            {
                return _buckets.Count;
            }
        }
    }

    /// <summary>The largest single write, in bytes.</summary>
    public const int MaxWrite = 1 << 20;

    /// <inheritdoc />
    public ValueTask<DataPointer> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (data.Length == 0 || data.Length > MaxWrite)
        {
            throw new ArgumentOutOfRangeException(nameof(data), data.Length, $"a write is 1 to {MaxWrite} bytes");
        }

        long space = RoundUp(data.Length);
        lock (_lock)
        {
            if (_usedBytes + space > TotalBytes)
            {
                throw new PosixException(Errno.ENOSPC, $"memory data store full ({TotalBytes} bytes)");
            }

            _usedBytes += space;
            ulong bucket = _nextBucket++;
            _buckets.Add(bucket, data.ToArray());
            return ValueTask.FromResult(new DataPointer(bucket, 1, 0, (uint)data.Length));
        }
    }

    /// <inheritdoc />
    public ValueTask ReadAsync(DataPointer pointer, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        byte[] data = Get(pointer);
        if (destination.Length < data.Length)
        {
            throw new ArgumentException($"destination of {destination.Length} bytes is smaller than the {data.Length}-byte pointer", nameof(destination));
        }

        data.CopyTo(destination);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public void Release(DataPointer pointer, ulong journalSeq)
    {
        lock (_lock)
        {
            byte[] data = Get(pointer);
            _buckets.Remove(pointer.Bucket);
            _usedBytes -= RoundUp(data.Length);
        }
    }

    private long RoundUp(int length) => (length + (long)BlockSize - 1) / BlockSize * BlockSize;

    private byte[] Get(DataPointer pointer)
    {
        lock (_lock)
        {
            if (!_buckets.TryGetValue(pointer.Bucket, out var data) || pointer.Generation != 1 || pointer.Offset != 0 || pointer.Length != data.Length)
            {
                throw new InvalidOperationException($"data pointer {pointer} is not live");
            }

            return data;
        }
    }
}
