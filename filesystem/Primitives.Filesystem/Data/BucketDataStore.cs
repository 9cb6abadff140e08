using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Data;

/// <summary>
/// User data space over the bucket allocator's user-data write point: each write takes the next
/// block-aligned range of the open user bucket (a new bucket when full), and returns a pointer that
/// carries the bucket's generation, so a read through a pointer whose bucket has since been emptied
/// or reused fails with <see cref="StaleDataPointerException"/> instead of returning someone else's data.
/// </summary>
/// <remarks>
/// <para>Space: a write reserves its blocks in the allocator's user-space reservation first (so a
/// full filesystem fails with <see cref="NoSpaceException"/> before anything is written) and the
/// reservation is returned by <see cref="Release"/>.</para>
/// <para>Durability: data is durable after the next device flush (the journal flushes the device
/// before it writes the entry that references the data).</para>
/// <para>Thread safety: every member is thread-safe.</para>
/// </remarks>
public sealed class BucketDataStore : IDataStore
{
    private readonly BucketAllocator _allocator;
    private readonly BlockDevice _device;

    /// <summary>Creates the store.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The allocator's block size is not a multiple of the device's logical block size.</exception>
    public BucketDataStore(BucketAllocator allocator, BlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(device);
        if (allocator.BlockSize % device.LogicalBlockSize != 0)
        {
            throw new ArgumentException($"block size {allocator.BlockSize} is not a multiple of {device.Name}'s logical block size {device.LogicalBlockSize}", nameof(device));
        }

        _allocator = allocator;
        _device = device;
    }

    /// <inheritdoc />
    public int BlockSize => _allocator.BlockSize;

    /// <summary>The largest single write: one bucket.</summary>
    public int MaxWriteSize => _allocator.BucketSize;

    /// <inheritdoc />
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="data"/> is empty or larger than a bucket.</exception>
    /// <exception cref="NoSpaceException">No space left for user data.</exception>
    /// <exception cref="DeviceException">The write failed (the space is released again).</exception>
    public async ValueTask<DataPointer> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(data.Length, 1, nameof(data));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(data.Length, MaxWriteSize, nameof(data));
        cancellationToken.ThrowIfCancellationRequested();
        _allocator.ReserveUserSpace(data.Length);
        SpaceAllocation space;
        try
        {
            space = _allocator.AllocateSpace(BucketDataType.User, data.Length);
        }
        catch
        {
            _allocator.ReleaseUserSpace(data.Length);
            throw;
        }

        try
        {
            ReadOnlyMemory<byte> block = data;
            if (data.Length != space.Length)
            {
                byte[] padded = new byte[space.Length]; // the tail of the last block is zeros
                data.CopyTo(padded);
                block = padded;
            }

            await _device.WriteAsync(Offset(space.Bucket, space.Offset), block, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Nothing references the space: it may be reused as soon as the bucket empties (seq 0 is always durable).
            _allocator.TryReleaseSectors(space.Bucket, space.Generation, (uint)(space.Length / AllocKey.SectorSize), 0);
            _allocator.ReleaseUserSpace(data.Length);
            throw;
        }

        return new DataPointer((ulong)space.Bucket, space.Generation, (uint)space.Offset, (uint)data.Length);
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The pointer is out of range for this filesystem, or <paramref name="destination"/> is shorter than its length.</exception>
    /// <exception cref="StaleDataPointerException">The pointer's bucket was emptied or reused (checked before and after the read).</exception>
    /// <exception cref="DeviceException">The read failed.</exception>
    public async ValueTask ReadAsync(DataPointer pointer, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        Validate(pointer);
        if (destination.Length < pointer.Length)
        {
            throw new ArgumentException($"destination has {destination.Length} bytes, the pointer {pointer.Length}", nameof(destination));
        }

        CheckCurrent(pointer);
        int rounded = Round(pointer.Length);
        long offset = Offset((long)pointer.Bucket, (int)pointer.Offset);
        if (rounded == pointer.Length && destination.Length >= rounded)
        {
            await _device.ReadAsync(offset, destination[..rounded], cancellationToken).ConfigureAwait(false);
        }
        else
        {
            byte[] buffer = new byte[rounded];
            await _device.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
            buffer.AsMemory(0, (int)pointer.Length).CopyTo(destination);
        }

        CheckCurrent(pointer); // reused while we read: what we read may be the new owner's data
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The pointer is out of range for this filesystem.</exception>
    /// <exception cref="StaleDataPointerException">The pointer's bucket was already emptied or reused (a double release).</exception>
    public void Release(DataPointer pointer, ulong journalSeq)
    {
        Validate(pointer);
        int rounded = Round(pointer.Length);
        if (!_allocator.TryReleaseSectors((long)pointer.Bucket, pointer.Generation, (uint)(rounded / AllocKey.SectorSize), journalSeq))
        {
            AllocKey key = _allocator.GetKey((long)pointer.Bucket);
            throw new StaleDataPointerException(pointer, key.Generation, $"{key.DataType}, {key.DirtySectors} live sectors");
        }

        _allocator.ReleaseUserSpace(pointer.Length);
    }

    private void CheckCurrent(DataPointer pointer)
    {
        AllocKey key = _allocator.GetKey((long)pointer.Bucket);
        if (key.Generation != pointer.Generation || key.DataType != BucketDataType.User)
        {
            throw new StaleDataPointerException(pointer, key.Generation, key.DataType.ToString());
        }
    }

    private void Validate(DataPointer pointer)
    {
        if (pointer.Bucket < (ulong)_allocator.FirstDataBucket || pointer.Bucket >= (ulong)(_allocator.FirstDataBucket + _allocator.DataBucketCount))
        {
            throw new ArgumentException($"pointer {pointer} is not in a data bucket", nameof(pointer));
        }

        if (pointer.Length == 0 || pointer.Offset % (uint)BlockSize != 0 || (ulong)pointer.Offset + (ulong)Round(pointer.Length) > (ulong)_allocator.BucketSize)
        {
            throw new ArgumentException($"pointer {pointer} is not a block-aligned, non-empty range inside a {_allocator.BucketSize}-byte bucket", nameof(pointer));
        }
    }

    private int Round(uint length) => (int)(((long)length + BlockSize - 1) / BlockSize * BlockSize);

    private long Offset(long bucket, int offsetInBucket) => (bucket * _allocator.BucketSize) + offsetInBucket;
}
