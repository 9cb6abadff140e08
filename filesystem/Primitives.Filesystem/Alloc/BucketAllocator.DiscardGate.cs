namespace Primitives.Filesystem.Alloc;

/// <content>
/// The discard gate: the one method through which every claim of a bucket passes, and the
/// in-flight-discard set it consults. The discard worker's protocol is register (under the lock:
/// out of the need_discard index, into the in-flight set) → unlock → discard → complete (under the
/// lock: out of the in-flight set, into the freespace index). That protocol is only safe because
/// no claimant can take a bucket in between: they all come through <see cref="ClaimThroughGate"/>.
/// </content>
public sealed partial class BucketAllocator
{
    /// <summary>Buckets whose discard is in flight. Guarded by <c>_lock</c>; changed only in this file.</summary>
    private readonly HashSet<long> _discarding = [];

    /// <summary>Discard completions that found their bucket claimed (only ever non-empty under a mutant).</summary>
    private readonly List<string> _violations = [];

    /// <summary>
    /// Claims <paramref name="bucket"/> for <paramref name="type"/> if it may be claimed: a data
    /// bucket that is free, or emptied with its emptying durable (need_discard: the claimant accepts
    /// its old contents), and whose discard is not in flight. Bumps the generation.
    /// </summary>
    /// <returns>Whether the bucket was claimed; <paramref name="allocation"/> is its new generation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucket"/> is outside the device, or <paramref name="type"/> is not Btree, User or Journal.</exception>
    /// <remarks>The "direct claim" path (journal growth, repair): it goes through the same gate as <see cref="Allocate"/>.</remarks>
    public bool TryClaim(long bucket, BucketDataType type, out BucketAllocation allocation)
    {
        CheckBucket(bucket);
        CheckClaimType(type);
        lock (_lock)
        {
            return ClaimThroughGate(bucket, type, out allocation, out _);
        }
    }

    /// <summary>The gate. Caller holds <c>_lock</c>. Every claim of a bucket, by any path, is this method.</summary>
    private bool ClaimThroughGate(long bucket, BucketDataType type, out BucketAllocation allocation, out string? refusal)
    {
        allocation = default;
        AllocKey key = _keys[bucket];
        if (!IsDataBucket(bucket))
        {
            refusal = $"bucket {bucket} is not a data bucket";
            return false;
        }

        bool bypass = AllocMutants.IsActive(AllocMutants.ClaimBypassesDiscardGate);
        if (_discarding.Contains(bucket) && !bypass)
        {
            refusal = $"bucket {bucket} has a discard in flight";
            return false;
        }

        bool claimable = key.DataType == BucketDataType.Free
            || (key.DataType == BucketDataType.NeedDiscard && (bypass || key.JournalSeqEmpty <= _durableSeq));
        if (!claimable)
        {
            refusal = $"bucket {bucket} is {key.DataType}" + (key.DataType == BucketDataType.NeedDiscard ? $", emptied at journal sequence {key.JournalSeqEmpty} > durable {_durableSeq}" : string.Empty);
            return false;
        }

        _free.Remove(bucket);
        _needDiscard.Remove(bucket);
        _waiting.Remove((key.JournalSeqEmpty, bucket));
        uint generation = unchecked(key.Generation + 1);
        SetKeyLocked(bucket, new AllocKey(generation, type, 0, false, key.JournalSeqEmpty, 0));
        allocation = new BucketAllocation(bucket, generation);
        refusal = null;
        return true;
    }

    /// <summary>Registers the lowest need_discard bucket as in flight (out of the index, into the gate's set).</summary>
    /// <returns>Whether there was one.</returns>
    internal bool TryBeginDiscard(out long bucket) => TryBeginDiscardRun(1, out bucket) == 1;

    /// <summary>
    /// Registers the lowest need_discard bucket and up to <paramref name="maxBuckets"/> - 1 buckets
    /// right after it that are need_discard too, as in flight: one discard then covers the run.
    /// </summary>
    /// <returns>The number of buckets registered (0 when none is need_discard); <paramref name="first"/> is the first.</returns>
    internal int TryBeginDiscardRun(int maxBuckets, out long first)
    {
        lock (_lock)
        {
            if (_needDiscard.Count == 0)
            {
                first = -1;
                return 0;
            }

            first = _needDiscard.Min;
            int count = 0;
            while (count < maxBuckets && _needDiscard.Remove(first + count))
            {
                _discarding.Add(first + count);
                count++;
            }

            return count;
        }
    }

    /// <summary>
    /// Completes an in-flight discard: out of the gate's set and, when <paramref name="outcome"/> is
    /// <see cref="DiscardOutcome.Cancelled"/>, back into need_discard, otherwise free. Re-validates the
    /// bucket: if a claim got past the gate (only a mutant can), the bucket is left alone and the
    /// violation is recorded (never marked free under its new owner).
    /// </summary>
    internal void CompleteDiscard(long bucket, DiscardOutcome outcome)
    {
        lock (_lock)
        {
            if (!_discarding.Remove(bucket))
            {
                throw new InvalidOperationException($"bucket {bucket} has no discard in flight");
            }

            AllocKey key = _keys[bucket];
            if (key.DataType != BucketDataType.NeedDiscard)
            {
                _violations.Add($"discard completion found bucket {bucket} claimed as {key.DataType} (generation {key.Generation}): a claim bypassed the discard gate");
                return;
            }

            if (outcome == DiscardOutcome.Cancelled)
            {
                _needDiscard.Add(bucket);
                return;
            }

            _free.Add(bucket);
            SetKeyLocked(bucket, key with { DataType = BucketDataType.Free, NeedDiscard = false });
        }
    }

    /// <summary>Whether <paramref name="bucket"/>'s discard is in flight (a snapshot).</summary>
    public bool IsDiscardInFlight(long bucket)
    {
        lock (_lock)
        {
            return _discarding.Contains(bucket);
        }
    }

    private static void CheckClaimType(BucketDataType type)
    {
        if (type is not (BucketDataType.Btree or BucketDataType.User or BucketDataType.Journal))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "only Btree, User or Journal buckets are allocated");
        }
    }
}
