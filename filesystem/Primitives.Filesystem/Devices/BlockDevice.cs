namespace Primitives.Filesystem.Devices;

/// <summary>
/// A block device: a real one (a loop device), an image file, memory, or a wrapper that records
/// writes. Offsets and lengths are in bytes and must be multiples of <see cref="LogicalBlockSize"/>;
/// buffers may be any memory (an implementation that needs alignment, such as O_DIRECT, copies
/// through an aligned bounce buffer when the caller's is not aligned).
/// </summary>
/// <remarks>
/// Durability contract: a write is durable once a <see cref="FlushAsync"/> that started after the
/// write completed has completed. Until then a crash may keep any subset of the writes since the
/// last completed flush (this is what <c>RecordingBlockDevice</c> enumerates).
/// </remarks>
public abstract partial class BlockDevice : IDisposable
{
    /// <summary>The path or a descriptive name of the device.</summary>
    public abstract string Name { get; }

    /// <summary>The size in bytes.</summary>
    public abstract long Size { get; }

    /// <summary>The logical block size in bytes (512 on a loop device): the unit of every offset and length.</summary>
    public abstract int LogicalBlockSize { get; }

    /// <summary>Whether <see cref="DiscardAsync"/> reaches the device (otherwise it is a no-op that still validates).</summary>
    public abstract bool SupportsDiscard { get; }

    /// <summary>Reads <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>.</summary>
    public abstract ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Writes <paramref name="buffer"/> at <paramref name="offset"/> (not durable until a flush).</summary>
    public abstract ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default);

    /// <summary>Makes every completed write durable (fdatasync on a file or device).</summary>
    public abstract ValueTask FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>Tells the device the range's contents are no longer needed (BLKDISCARD on a block device); reads return zeros or old data afterwards.</summary>
    public abstract ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default);

    /// <summary>Closes the device.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the device's resources.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> unless the range is aligned and inside the device.</summary>
    protected void ValidateRange(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (offset % LogicalBlockSize != 0 || length % LogicalBlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"offset {offset} and length {length} must be multiples of the {LogicalBlockSize}-byte logical block size of {Name}");
        }

        if (offset > Size - length)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), $"range [{offset}, {offset + length}) is outside {Name} ({Size} bytes)");
        }
    }
}
