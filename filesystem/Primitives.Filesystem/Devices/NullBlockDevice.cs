namespace Primitives.Filesystem.Devices;

/// <summary>
/// A device that stores nothing: reads return zeros, writes, flushes and discards complete at
/// once. For measuring the layers above without any I/O cost, and as the null member of the
/// device family (memory: <see cref="MemoryBlockDevice"/>, faults: <see cref="DeviceFaults"/>).
/// </summary>
/// <remarks>Thread-safe (stateless).</remarks>
public sealed class NullBlockDevice : BlockDevice
{
    private readonly long _size;
    private readonly int _logicalBlockSize;

    /// <summary>Creates a null device of <paramref name="size"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The size is not a positive multiple of the logical block size, or the block size is not a power of two from 512 to 65536.</exception>
    public NullBlockDevice(long size, int logicalBlockSize = 512)
    {
        if (logicalBlockSize is < 512 or > 65536 || (logicalBlockSize & (logicalBlockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(logicalBlockSize), logicalBlockSize, "must be a power of two from 512 to 65536");
        }

        if (size < logicalBlockSize || size % logicalBlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"must be a positive multiple of {logicalBlockSize}");
        }

        _size = size;
        _logicalBlockSize = logicalBlockSize;
    }

    /// <inheritdoc />
    public override string Name => "null";

    /// <inheritdoc />
    public override long Size => _size;

    /// <inheritdoc />
    public override int LogicalBlockSize => _logicalBlockSize;

    /// <inheritdoc />
    public override bool SupportsDiscard => true;

    /// <inheritdoc />
    public override ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        buffer.Span.Clear();
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public override ValueTask FlushAsync(CancellationToken cancellationToken = default) => ValueTask.CompletedTask;

    /// <inheritdoc />
    public override ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, length);
        return ValueTask.CompletedTask;
    }
}
