namespace Primitives.Filesystem.Alloc;

/// <summary>A consistent copy of a <see cref="BucketAllocator"/>'s table and counts.</summary>
/// <param name="Keys">Every bucket's alloc key, indexed by bucket.</param>
/// <param name="FreeBuckets">Buckets in the freespace index.</param>
/// <param name="NeedDiscardBuckets">Buckets ready for discard (their emptying is durable).</param>
/// <param name="WaitingForJournal">Emptied buckets waiting for their journal sequence to become durable.</param>
/// <param name="DiscardsInFlight">Buckets whose discard is in flight (behind the discard gate).</param>
/// <param name="DurableSeq">The newest journal sequence known durable.</param>
/// <param name="AvailableUserBytes">User-data space not reserved (outside the metadata reserve).</param>
/// <param name="InUseWithoutData">In-use data buckets with no live sectors and no open write point (leaked; fsck material).</param>
/// <param name="GateViolations">Discard completions that found their bucket claimed: always empty unless the gate is bypassed (a mutant).</param>
public sealed record AllocatorSnapshot(
    IReadOnlyList<AllocKey> Keys,
    int FreeBuckets,
    int NeedDiscardBuckets,
    int WaitingForJournal,
    int DiscardsInFlight,
    ulong DurableSeq,
    long AvailableUserBytes,
    long InUseWithoutData,
    IReadOnlyList<string> GateViolations);
