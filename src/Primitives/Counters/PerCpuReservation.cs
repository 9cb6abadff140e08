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
/// from the pool, taking up to <c>chunkSize</c> extra units into the cache; if the pool is short
/// too, it takes the slow-path lock, pauses chunked refills (refills in flight finish first),
/// drains every processor's cache back into the pool and tries the pool once more, else reports
/// out of space. So no free unit is stranded: with no other call in flight it fails exactly when
/// <c>amount &gt; <see cref="Available"/></c>, and under concurrency it fails only if, when it
/// re-checked the drained pool, fewer than <c>amount</c> units were free apart from those that
/// <see cref="Release"/> calls running at the same time were still returning (with no release in
/// flight: only if fewer than <c>amount</c> units were free at that instant).</para>
/// <para><b>Releasing.</b> Each processor also counts the units reserved on it (never negative).
/// <see cref="Release"/> debits the caller's processor's count, or any other processor's count
/// that covers the amount; if none does, it takes the slow-path lock, freezes every count (so
/// that no concurrent release can move units between counts while it looks), and debits the total,
/// or throws <see cref="InvalidOperationException"/> without changing anything when the total
/// reserved is smaller than the amount. The units then go back to the caller's processor's cache;
/// a cache that grows past two chunks (a processor that releases more than it reserves) spills
/// the excess back to the pool, so freed space does not pile up where nobody reserves.</para>
/// <para><b>Memory.</b> Two padded lines per slot of the processor count rounded up to a power of
/// two (<c>256 * SlotCount</c> bytes: 512 B on 2 processors, 16 KiB on 64) plus two padded shared
/// words: meant for a few pools per process (one per device or tenant), not one per object.</para>
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

    // Bit 62 of the pool: set while a slow-path reserve holds the lock and drains the caches.
    // Refills then take exactly what they need and put nothing into a cache.
    private const long DrainingBit = 1L << 62; // bit 62

    private readonly long _capacity;
    private readonly long _chunkSize;

    // Free units cached per processor. Never negative: only taken from by CAS.
    private readonly PaddedInt64[] _caches;

    // Units reserved per processor (bits 0-61, never negative) plus FrozenBit. The sum of the
    // counts is Reserved; each grant adds to one count after the units were taken.
    private readonly PaddedInt64[] _reserved;

    // Serializes the slow paths (drain-and-retry and frozen release) with each other.
    private readonly object _slowPathLock = new();

    // Free units in no cache (bits 0-61, never negative: only taken from by CAS) plus
    // DrainingBit. Padded away from the read-only fields above, which every call reads.
    private PaddedInt64 _pool;

    // Transfers between the pool and a cache (refills, spills) between their announcement and
    // their units landing; the slow path waits for 0 before it drains. See TryTakeFromPoolAndRefill.
    private PaddedInt64 _transfersInFlight;

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
    /// <remarks>
    /// Thread-safe; lock-free unless the caches and pool are both short. Allocates nothing. A failed
    /// call has taken the slow path (lock, and a drain of every processor's cache, which empties the
    /// other processors' caches too), so a caller that waits for space should back off between
    /// attempts or wait for a release signal rather than retry in a tight loop.
    /// </remarks>
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
        long cached = Interlocked.Add(ref _caches[slot].Value, amount);
        if (cached - _chunkSize > _chunkSize)
        {
            SpillToPool(ref _caches[slot].Value, cached - _chunkSize);
        }
    }

    /// <summary>The free units in the pool (not in any cache). For tests.</summary>
    internal long PooledUnits => Volatile.Read(ref _pool.Value) & CountMask;

    /// <summary>
    /// Moves <paramref name="excess"/> units from a cache that grew past two chunks (a processor
    /// that releases more than it reserves) back to the pool, where every processor's refill finds
    /// them without the slow path's lock and drain. Skipped while a slow path is draining (it
    /// takes the cache anyway).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SpillToPool(ref long cache, long excess)
    {
        // Announced like a refill, and for the same reason: the slow path must never look at the
        // pool while units are between a cache and the pool (see TryTakeFromPoolAndRefill).
        Interlocked.Increment(ref _transfersInFlight.Value);
        if ((Volatile.Read(ref _pool.Value) & DrainingBit) == 0 && TryTake(ref cache, excess))
        {
            Interlocked.Add(ref _pool.Value, excess);
        }

        Interlocked.Decrement(ref _transfersInFlight.Value);
    }

    /// <summary>Takes <paramref name="amount"/> from a non-negative location if it holds that much.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryTake(ref long location, long amount)
    {
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(CounterMutants.CheckThenSubtract))
        {
            if (Volatile.Read(ref location) < amount)
            {
                return false;
            }

            Interlocked.Add(ref location, -amount);
            return true;
        }
#endif
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
    /// Takes <paramref name="amount"/> from the pool, plus up to a chunk that goes into the caller's
    /// cache; while a slow path is draining (<see cref="DrainingBit"/>), exactly the amount.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryTakeFromPoolAndRefill(long amount, ref long cache)
    {
        // Announce the refill before reading the pool. Pairs with the slow path's Or of
        // DrainingBit followed by its read of _transfersInFlight (both sides are full fences, a
        // Dekker pair): either this CAS sees DrainingBit, or the slow path sees this refill in
        // flight and waits for its chunk to reach the cache before draining. SpillToPool pairs
        // with it the same way.
        Interlocked.Increment(ref _transfersInFlight.Value);
        bool taken = false;
        long seen = Volatile.Read(ref _pool.Value);
        while ((seen & CountMask) >= amount)
        {
            long free = seen & CountMask;
            bool draining = (seen & DrainingBit) != 0;
#if PRIMITIVES_MUTANTS
            draining &= !Mutations.IsActive(CounterMutants.RefillDuringDrain);
#endif
            long take = draining ? amount : free - amount >= _chunkSize ? amount + _chunkSize : free;

            // Fails only when another call changed the pool (its progress). The subtraction
            // leaves DrainingBit as it was: free >= take.
            long witnessed = Interlocked.CompareExchange(ref _pool.Value, seen - take, seen);
            if (witnessed == seen)
            {
                if (take > amount)
                {
                    Interlocked.Add(ref cache, take - amount);
                }

                taken = true;
                break;
            }

            seen = witnessed;
        }

        // After the chunk is in the cache (nothing above can throw): a slow path that waited for
        // this refill finds the chunk there.
        Interlocked.Decrement(ref _transfersInFlight.Value);
        return taken;
    }

    /// <summary>
    /// Under the slow-path lock: pauses chunked refills, waits for those in flight to land, drains
    /// every cache into the pool, then takes exactly <paramref name="amount"/> from it.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private bool TryReserveSlow(long amount)
    {
        lock (_slowPathLock)
        {
            // From here on no refill moves a chunk out of the pool and no spill moves units out of
            // a cache (see TryTakeFromPoolAndRefill, SpillToPool), so once the transfers already
            // under way have landed, no free unit is in transit between the pool and a cache.
            Interlocked.Or(ref _pool.Value, DrainingBit);
            try
            {
                SpinWait spinner = default;
                while (Volatile.Read(ref _transfersInFlight.Value) != 0)
                {
#if PRIMITIVES_MUTANTS
                    if (Mutations.IsActive(CounterMutants.RefillDuringDrain))
                    {
                        break;
                    }
#endif
                    // Waits for another thread's few instructions (a CAS and an add, no lock);
                    // SpinOnce yields (and is a scheduling point for systematic testing).
                    spinner.SpinOnce();
                }

                PaddedInt64[] caches = _caches;
                for (int i = 0; i < caches.Length; i++)
                {
                    // Exchange, so units put in the cache concurrently (a release) are either
                    // moved now or stay in the cache: never lost, never counted twice.
                    long drained = Interlocked.Exchange(ref caches[i].Value, 0);
                    if (drained != 0)
                    {
                        Interlocked.Add(ref _pool.Value, drained);
                    }
                }

                // Exactly the amount, no chunk: the space is short, and caching a chunk now would
                // strand it away from the next caller.
                long seen = Volatile.Read(ref _pool.Value);
                while ((seen & CountMask) >= amount)
                {
                    // Fails only when a concurrent call took from or added to the pool (its progress).
                    long witnessed = Interlocked.CompareExchange(ref _pool.Value, seen - amount, seen);
                    if (witnessed == seen)
                    {
                        return true;
                    }

                    seen = witnessed;
                }

                return false;
            }
            finally
            {
                Interlocked.And(ref _pool.Value, ~DrainingBit);
            }
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
#if PRIMITIVES_MUTANTS
                    if (Mutations.IsActive(CounterMutants.UnfrozenReleaseTotal))
                    {
                        break;
                    }
#endif
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
