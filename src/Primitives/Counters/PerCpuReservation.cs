using System.Diagnostics;
using System.Runtime.CompilerServices;

using Primitives.Internal;

namespace Primitives.Counters;

/// <summary>
/// A bounded counter for allocation (space, slots, credits): callers reserve units out of a fixed
/// capacity and release them later, and the sum of outstanding reservations never exceeds the
/// capacity. Each processor keeps a cache of free units refilled in chunks from a global pool, so
/// the common reserve and release touch only the caller's processor's cache lines. Modelled on
/// bcachefs disk reservations.
/// </summary>
/// <remarks>
/// <para><b>Where the free units are.</b> Every unit of <see cref="Capacity"/> is, at any instant,
/// in exactly one place: the global pool, one processor's cache, held by a caller (reserved), or
/// in transit inside one call (taken from the pool but not yet put in a cache, or released but not
/// yet returned). Units leave the pool and the caches only by a compare-and-swap that keeps them
/// non-negative, so a reservation is only ever granted out of units that were free, and the
/// outstanding reservations never exceed the capacity, at any instant and under any race.</para>
/// <para><b>Reserving.</b> <see cref="TryReserve"/> takes from the processor's cache; if it is short,
/// from the pool, taking <c>chunkSize</c> extra units into the cache; if the pool is short too, it
/// takes the slow-path lock, drains every processor's cache back into the pool and tries the pool
/// once more, else reports out of space. With no other call in flight, it fails exactly when
/// <c>amount &gt; <see cref="Available"/></c>. Under concurrency it may also fail while units are in
/// transit inside concurrent calls (at most <c>amount + chunkSize</c> per concurrent refill, and the
/// units of concurrent releases): it never fails for want of units that were free in some cache
/// before the call began.</para>
/// <para><b>Releasing.</b> Each processor also counts the units reserved on it (never negative).
/// <see cref="Release"/> debits the caller's processor's count, or any other processor's count
/// that covers the amount; if none does, it takes the slow-path lock, freezes every count (so
/// that no concurrent release can move units between counts while it looks), and debits the total,
/// or throws <see cref="InvalidOperationException"/> without changing anything when the total
/// reserved is smaller than the amount. The units then go back to the caller's processor's cache.</para>
/// <para><b>Thread safety.</b> Every member is thread-safe. <see cref="TryReserve"/> and
/// <see cref="Release"/> are lock-free on their fast paths and allocate nothing. All shared state
/// is in <see langword="long"/> fields changed with <see cref="Interlocked"/> operations, which
/// are full fences in .NET; the ordering arguments in the code rely on that.</para>
/// </remarks>
public sealed class PerCpuReservation
{
    /// <summary>Default number of extra units a processor takes into its cache when it refills from the pool.</summary>
    public const long DefaultChunkSize = 1024;

    /// <summary>
    /// The largest supported capacity, 2<sup>62</sup> - 1: bit 62 of the per-processor reserved
    /// counts is the freeze flag, and no count ever exceeds the capacity.
    /// </summary>
    public const long MaxCapacity = FrozenBit - 1;

    // Bit 62 of a reserved count: set while a slow-path release holds the lock and totals the
    // counts. Debits fail on a frozen count; credits (plain atomic adds) go through.
    private const long FrozenBit = 1L << 62; // bit 62
    private const long CountMask = FrozenBit - 1; // bits 0-61

    private readonly long _capacity;
    private readonly long _chunkSize;

    // Free units cached per processor. Never negative: only taken from by CAS.
    private readonly PaddedInt64[] _caches;

    // Units reserved per processor (bits 0-61, never negative) plus FrozenBit. The sum of the
    // counts is Reserved; each grant adds to one count after the units were taken.
    private readonly PaddedInt64[] _reserved;

    // Serializes the slow paths (drain-and-retry and frozen release) with each other.
    private readonly object _slowPathLock = new();

    // Free units in no cache. Never negative: only taken from by CAS. Padded away from the
    // read-only fields above, which every call reads.
    private PaddedInt64 _pool;

    /// <summary>Creates a reservation pool with <paramref name="capacity"/> free units.</summary>
    /// <param name="capacity">Total units; 0 to <see cref="MaxCapacity"/>.</param>
    /// <param name="chunkSize">
    /// Extra units a processor takes into its cache when it refills from the pool: larger chunks
    /// touch the shared pool less often, but let more free units sit in caches (which the slow path
    /// then has to drain when space runs low).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException">
    /// <paramref name="capacity"/> is negative or greater than <see cref="MaxCapacity"/>, or
    /// <paramref name="chunkSize"/> is less than 1.
    /// </exception>
    public PerCpuReservation(long capacity, long chunkSize = DefaultChunkSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, MaxCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        _capacity = capacity;
        _chunkSize = chunkSize;
        _caches = new PaddedInt64[PerCpu.SlotCount];
        _reserved = new PaddedInt64[PerCpu.SlotCount];
        _pool.Value = capacity;
    }

    /// <summary>The total number of units, reserved or not.</summary>
    /// <value>The capacity given to the constructor.</value>
    /// <remarks>Thread-safe; constant.</remarks>
    public long Capacity => _capacity;

    /// <summary>The number of extra units a processor takes into its cache per refill.</summary>
    /// <value>The chunk size given to the constructor.</value>
    /// <remarks>Thread-safe; constant.</remarks>
    public long ChunkSize => _chunkSize;

    /// <summary>The number of units currently reserved (granted and not yet released).</summary>
    /// <value>
    /// Exact when no call is in flight. Under concurrency, a sum of per-processor counts read one at
    /// a time (each grant or release is counted fully or not at all), clamped to <c>[0, Capacity]</c>.
    /// </value>
    /// <remarks>Thread-safe and lock-free; O(processors).</remarks>
    public long Reserved
    {
        get
        {
            long sum = 0;
            PaddedInt64[] counts = _reserved;
            for (int i = 0; i < counts.Length; i++)
            {
                // Each count is at most Capacity, so stopping at Capacity also keeps the sum from
                // overflowing when racing reads see more than was ever reserved at one instant.
                sum += Volatile.Read(ref counts[i].Value) & CountMask;
                if (sum >= _capacity)
                {
                    return _capacity;
                }
            }

            return sum;
        }
    }

    /// <summary>The number of units not reserved: <c><see cref="Capacity"/> - <see cref="Reserved"/></c>.</summary>
    /// <value>Exact when no call is in flight; see <see cref="Reserved"/> under concurrency.</value>
    /// <remarks>Thread-safe and lock-free; O(processors).</remarks>
    public long Available => _capacity - Reserved;

    /// <summary>Reserves <paramref name="amount"/> units if that many are free.</summary>
    /// <param name="amount">Units to reserve; 0 always succeeds and changes nothing.</param>
    /// <returns>
    /// <see langword="true"/> if the units were reserved (the caller now holds them and must
    /// <see cref="Release"/> them); <see langword="false"/> if not enough units are free (nothing
    /// changed). See the class remarks for when a racing call may fail.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <remarks>Thread-safe; lock-free unless the caches and pool are both short. Allocates nothing.</remarks>
    public bool TryReserve(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (amount == 0)
        {
            return true;
        }

        if (amount > _capacity)
        {
            return false;
        }

        int slot = PerCpu.CurrentSlot();
        if (!TryTake(ref _caches[slot].Value, amount)
            && !TryTakeFromPoolAndRefill(amount, ref _caches[slot].Value)
            && !TryReserveSlow(amount))
        {
            return false;
        }

        // The units are already ours (taken by CAS above), so counting them afterwards keeps the
        // counts at or below the units actually held: the sum of the counts never exceeds Capacity.
        Interlocked.Add(ref _reserved[slot].Value, amount);
        return true;
    }

    /// <summary>Releases <paramref name="amount"/> previously reserved units.</summary>
    /// <param name="amount">Units to release; 0 does nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="amount"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">
    /// <paramref name="amount"/> is more than <see cref="Reserved"/> (more than all callers hold);
    /// nothing is changed.
    /// </exception>
    /// <remarks>
    /// Thread-safe; lock-free when one processor's reserved count covers the amount (usually the
    /// caller's own). Any caller may release units reserved by another. Allocates nothing.
    /// </remarks>
    public void Release(long amount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(amount);
        if (amount == 0)
        {
            return;
        }

        int slot = PerCpu.CurrentSlot();
        if (!TryDebitAnyCount(slot, amount))
        {
            ReleaseSlow(amount);
        }

        // The count was debited before the units come back, so a release can never make units
        // free that were not counted as reserved; the units rejoin the free space here.
        Interlocked.Add(ref _caches[slot].Value, amount);
    }

    /// <summary>Takes <paramref name="amount"/> from a non-negative location if it holds that much.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTake(ref long location, long amount)
    {
        long seen = Volatile.Read(ref location);
        while (seen >= amount)
        {
            // A failed CAS means another call changed the location (a successful take or a
            // refill): a retry caused by someone else's progress, so no scheduling point needed.
            long witnessed = Interlocked.CompareExchange(ref location, seen - amount, seen);
            if (witnessed == seen)
            {
                return true;
            }

            seen = witnessed;
        }

        return false;
    }

    /// <summary>
    /// Takes <paramref name="amount"/> plus up to a chunk from the pool, and puts the extra into the
    /// caller's cache.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryTakeFromPoolAndRefill(long amount, ref long cache)
    {
        long seen = Volatile.Read(ref _pool.Value);
        while (seen >= amount)
        {
            long take = seen - amount >= _chunkSize ? amount + _chunkSize : seen;
            long witnessed = Interlocked.CompareExchange(ref _pool.Value, seen - take, seen);
            if (witnessed == seen)
            {
                if (take > amount)
                {
                    // In transit between the CAS above and this add: the slow path's drain can miss
                    // these units (see the class remarks); they are never lost.
                    Interlocked.Add(ref cache, take - amount);
                }

                return true;
            }

            seen = witnessed;
        }

        return false;
    }

    /// <summary>Under the slow-path lock: drains every cache into the pool, then takes exactly <paramref name="amount"/> from it.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReserveSlow(long amount)
    {
        lock (_slowPathLock)
        {
            PaddedInt64[] caches = _caches;
            for (int i = 0; i < caches.Length; i++)
            {
                // Exchange, so units put in the cache concurrently (a release, a refill) are either
                // moved now or stay in the cache: never lost, never counted twice.
                long drained = Interlocked.Exchange(ref caches[i].Value, 0);
                if (drained != 0)
                {
                    Interlocked.Add(ref _pool.Value, drained);
                }
            }

            // Exactly the amount, no chunk: right after a drain the space is short, and caching
            // a chunk would strand it away from the next caller.
            return TryTake(ref _pool.Value, amount);
        }
    }

    /// <summary>Debits the caller's processor's reserved count, or else the first other count that covers <paramref name="amount"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryDebitAnyCount(int slot, long amount)
    {
        PaddedInt64[] counts = _reserved;
        if (TryDebit(ref counts[slot].Value, amount))
        {
            return true;
        }

        for (int i = 1; i < counts.Length; i++)
        {
            if (TryDebit(ref counts[(slot + i) & (counts.Length - 1)].Value, amount))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Subtracts <paramref name="amount"/> from a reserved count if it is not frozen and covers it.
    /// Keeping every count non-negative makes one count covering the amount a proof that the total
    /// reserved does.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryDebit(ref long count, long amount)
    {
        long seen = Volatile.Read(ref count);
        while ((seen & FrozenBit) == 0 && seen >= amount)
        {
            // Retried only when another call changed the count (its own progress).
            long witnessed = Interlocked.CompareExchange(ref count, seen - amount, seen);
            if (witnessed == seen)
            {
                return true;
            }

            seen = witnessed;
        }

        return false;
    }

    /// <summary>
    /// Under the slow-path lock: freezes every reserved count, so that no debit can run while the
    /// counts are totalled (credits only add), then debits the amount across them, or throws.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ReleaseSlow(long amount)
    {
        lock (_slowPathLock)
        {
            PaddedInt64[] counts = _reserved;
            try
            {
                // Each Or is a full fence and atomic with respect to the debit CASes: a debit that
                // read the count before the Or fails its CAS (the value changed) and sees the bit.
                for (int i = 0; i < counts.Length; i++)
                {
                    Interlocked.Or(ref counts[i].Value, FrozenBit);
                }

                // Every count is frozen now, so the counts only grow until we unfreeze them: the
                // total read here is a lower bound on the units callers hold from now on, and it
                // includes the caller's own (not yet released) units.
                long total = 0;
                for (int i = 0; i < counts.Length; i++)
                {
                    total += Volatile.Read(ref counts[i].Value) & CountMask;
                }

                if (total < amount)
                {
                    throw new InvalidOperationException(
                        $"Cannot release {amount} units: only {total} are reserved.");
                }

                long remaining = amount;
                for (int i = 0; i < counts.Length && remaining > 0; i++)
                {
                    long seen = Volatile.Read(ref counts[i].Value);
                    while (true)
                    {
                        long take = Math.Min(seen & CountMask, remaining);
                        if (take == 0)
                        {
                            break;
                        }

                        // Fails only when a concurrent grant added to this count (its progress).
                        long witnessed = Interlocked.CompareExchange(ref counts[i].Value, seen - take, seen);
                        if (witnessed == seen)
                        {
                            remaining -= take;
                            break;
                        }

                        seen = witnessed;
                    }
                }

                Debug.Assert(remaining == 0, "frozen counts only grow, so the total found must still be there");
            }
            finally
            {
                for (int i = 0; i < counts.Length; i++)
                {
                    Interlocked.And(ref counts[i].Value, ~FrozenBit);
                }
            }
        }
    }
}
