namespace Primitives.Filesystem.Alloc;

/// <summary>Tunables of a <see cref="BucketAllocator"/>.</summary>
public sealed record BucketAllocatorOptions
{
    /// <summary>
    /// Percent of the data buckets kept back from user data so btree and journal writes (which are
    /// needed to free space) can still allocate when user data has filled the rest. bcachefs keeps 8%.
    /// At least one bucket is always kept.
    /// </summary>
    public int ReservePercent { get; init; } = 8;

    /// <summary>
    /// Whether emptied buckets are discarded before reuse (default true). When false they become free
    /// as soon as the journal entry that emptied them is durable.
    /// </summary>
    public bool Discard { get; init; } = true;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> when a value is out of range.</summary>
    public void Validate() => ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)ReservePercent, 50u, nameof(ReservePercent));
}
