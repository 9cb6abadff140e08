namespace Primitives.Filesystem.Alloc;

/// <content>
/// Free-space reservations for user data, in blocks, over a <see cref="Counters.PerCpuReservation"/>
/// whose capacity is the data buckets minus the reserve: a writer reserves before it writes, so it
/// gets <see cref="NoSpaceException"/> up front instead of half-way through an operation.
/// </content>
public sealed partial class BucketAllocator
{
    /// <summary>Bytes of user-data space not reserved (outside the metadata reserve).</summary>
    public long AvailableUserBytes => _userSpace.Available * BlockSize;

    /// <summary>Reserves <paramref name="bytes"/> (rounded up to blocks) of user-data space.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    /// <exception cref="NoSpaceException">Not enough space is left outside the reserve.</exception>
    public void ReserveUserSpace(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        long blocks = (bytes + BlockSize - 1) / BlockSize;
        if (!_userSpace.TryReserve(blocks))
        {
            throw new NoSpaceException($"no space for {bytes} bytes of user data: {AvailableUserBytes} bytes available ({ReserveBuckets} buckets are kept in reserve for metadata)");
        }
    }

    /// <summary>Returns a reservation made with <see cref="ReserveUserSpace"/> (same byte count).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">More than is reserved.</exception>
    public void ReleaseUserSpace(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        _userSpace.Release((bytes + BlockSize - 1) / BlockSize);
    }
}
