using System.Runtime.CompilerServices;

using Primitives.Internal;

namespace Primitives.Counters;

/// <summary>
/// A striped 64-bit counter for hot paths that many threads update and few read: each
/// processor adds into its own cache-line-padded cell, and a cell's running delta is folded into
/// a global count once it reaches the batch size, so that a cheap approximate value with a
/// documented error bound is always available next to the exact (but O(processors))
/// <see cref="Sum"/>. Modelled on the Linux <c>percpu_counter</c>.
/// </summary>
/// <remarks>
/// <para><b>Layout.</b> One <see cref="PaddedInt64"/> cell per slot of <see cref="PerCpu"/>
/// (the processor count rounded up to a power of two), allocated up front, plus a padded global
/// count. The cells are sized to the processor count rather than grown lazily on contention
/// (Java's <c>LongAdder</c>). Measured (<c>bench/Primitives.Benchmarks/Counters</c>, which keeps a
/// lazily grown variant for this comparison): with one thread the lazy counter is a CAS on one
/// field, about as fast as <see cref="Interlocked.Increment(ref long)"/>, while this counter pays
/// about 1.3-1.8x for the processor-id lookup and the batch check; with contending threads both run
/// the same striped path. The lazy design wins only for counters that never see a second writer, for
/// which a plain <see cref="Interlocked"/> field is the right tool anyway. Against it: its table is
/// published through a reference field (shared state outside <see langword="long"/> fields, which
/// systematic testing handles less well), it has two modes for <see cref="ApproximateValue"/> and
/// <see cref="ErrorBound"/> to account for, and <see cref="Thread.GetCurrentProcessorId"/> already
/// spreads threads well, so there is no probe to rehash. The cost is <c>128 * SlotCount</c> bytes
/// per counter from the start (256 B on 2 processors, 8 KiB on 64): use it for a handful of hot
/// counters, not one per object.</para>
/// <para><b>Consistency of <see cref="Sum"/>.</b> Each <see cref="Add"/> takes effect at a single
/// atomic instruction on one cell or on the global count (its linearization point); a fold
/// moves a cell's value into the global count under the counter's lock, and <see cref="Sum"/>
/// reads the global count and every cell under the same lock, so a fold is never half-seen.
/// Therefore <see cref="Sum"/> includes every <see cref="Add"/> that returned before it was called,
/// none that was called after it returned, and each concurrent one either fully or not at all.
/// It is not a linearizable snapshot: two concurrent adds can be seen in an order no single
/// instant had (the later one without the earlier one, if their cells are read in that order).
/// For a counter that only increases (all deltas non-negative) the result lies between the true
/// values at the start and at the end of the call, so successive sums from one thread never
/// decrease.</para>
/// <para><b>Overflow.</b> Like <see cref="Interlocked.Add(ref long, long)"/>, the counter wraps
/// modulo 2<sup>64</sup>; <see cref="Compare"/> assumes the true value does not wrap.</para>
/// <para><b>Thread safety.</b> Every member is thread-safe. <see cref="Add"/>,
/// <see cref="Increment"/>, <see cref="Decrement"/> and <see cref="ApproximateValue"/> are
/// lock-free; a fold (once per <c>batch</c> units on one cell), <see cref="Sum"/> and
/// <see cref="Reset"/> take a short internal lock, so a stream of <see cref="Sum"/> calls can delay
/// folding adders by the length of one sum. <see cref="Interlocked"/> operations are full fences
/// in .NET; the ordering arguments below rely on that.</para>
/// </remarks>
public sealed class PerCpuCounter
{
    /// <summary>
    /// Default batch: a cell folds into the global count when its running delta reaches 256 in
    /// magnitude. Large enough that the fold's lock and the global line are touched once per 256
    /// increments of one processor (measured single-threaded on the 2-core development machine,
    /// best of 7 runs of 20M increments: 9.9 ns per increment at batch 8, 8.0 at 32, 6.8 at 256,
    /// 6.5 at 4096, against 5.1 for <see cref="Interlocked.Increment(ref long)"/>), small enough
    /// that the approximate value is within 255 per processor of the truth. Linux uses
    /// <c>max(32, 2 * processors)</c> for its 32-bit cells.
    /// </summary>
    public const int DefaultBatch = 256;

    // Per-slot running deltas; |cell| < _batch whenever no add is in flight (see ErrorBound).
    private readonly PaddedInt64[] _cells;

    // Guards folds, Sum and Reset against each other (never taken on the lock-free add path).
    private readonly object _foldLock = new();

    private readonly int _batch;

    // The folded count. Padded so that folds do not invalidate the line holding _cells/_batch,
    // which every Add reads. Written with Interlocked only (direct large adds are lock-free).
    private PaddedInt64 _global;

    /// <summary>Creates a counter with value 0 and the <see cref="DefaultBatch"/> batch size.</summary>
    public PerCpuCounter()
        : this(DefaultBatch)
    {
    }

    /// <summary>Creates a counter with value 0 and the given batch size.</summary>
    /// <param name="batch">
    /// How large (in magnitude) a processor's running delta may grow before it is folded into the
    /// global count; adds with <c>|delta| &gt;= batch</c> go straight to the global count. 1 makes
    /// <see cref="ApproximateValue"/> exact at the cost of every add touching the shared count.
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batch"/> is less than 1.</exception>
    public PerCpuCounter(int batch)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        _batch = batch;
        _cells = new PaddedInt64[PerCpu.SlotCount];
    }

    /// <summary>The batch size this counter was created with.</summary>
    /// <value>At least 1.</value>
    /// <remarks>Thread-safe; constant.</remarks>
    public int Batch => _batch;

    /// <summary>
    /// The bound on <c>|<see cref="ApproximateValue"/> - true value|</c> that holds whenever no add
    /// is in flight: <c>(Batch - 1) * SlotCount</c>, where <c>SlotCount</c> is the processor count
    /// rounded up to a power of two.
    /// </summary>
    /// <value>A non-negative constant.</value>
    /// <remarks>
    /// Why it holds: a cell only grows by an <c>xadd</c> whose result the adder then checks; an adder
    /// that sees <c>|result| &gt;= Batch</c> empties the cell before returning. So once every add has
    /// returned, the last operation on each cell was either that emptying (value 0) or an add that
    /// left it below <c>Batch</c> in magnitude. While adds are in flight the difference can exceed
    /// the bound by at most the sum of the in-flight deltas. Thread-safe; constant.
    /// </remarks>
    public long ErrorBound => (long)(_batch - 1) * _cells.Length;

    /// <summary>
    /// The folded global count: a cheap (one read) estimate of the value, within
    /// <see cref="ErrorBound"/> of the true value when no add is in flight.
    /// </summary>
    /// <value>The global count, without the per-processor deltas.</value>
    /// <remarks>Thread-safe and lock-free; a volatile read, so it never goes back in time for one reader.</remarks>
    public long ApproximateValue => Volatile.Read(ref _global.Value);

    /// <summary>Adds <paramref name="delta"/> to the counter.</summary>
    /// <param name="delta">The amount to add; may be negative. The counter wraps on overflow.</param>
    /// <remarks>
    /// Thread-safe. Lock-free except when the processor's running delta reaches
    /// <see cref="Batch"/> in magnitude, when it is folded into the global count under a short lock
    /// (once per <see cref="Batch"/> units on one processor). An add with
    /// <c>|delta| &gt;= Batch</c> is one atomic add on the global count. Allocates nothing.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Add(long delta)
    {
        if (!IsBelowBatch(delta))
        {
            // A large delta skips the cell: one atomic add on the global count is its
            // linearization point, so Sum (which reads _global once) sees it fully or not at all.
            Interlocked.Add(ref _global.Value, delta);
            return;
        }

        ref long cell = ref _cells[PerCpu.CurrentSlot()].Value;

        // The linearization point of this add. Another thread may share the slot (processor ids are
        // cached hints), so it must be atomic, not a plain store.
        long result = Interlocked.Add(ref cell, delta);
        if (!IsBelowBatch(result))
        {
            Fold(ref cell);
        }
    }

    /// <summary>Adds 1 to the counter.</summary>
    /// <remarks>Thread-safe; see <see cref="Add"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Increment() => Add(1);

    /// <summary>Subtracts 1 from the counter.</summary>
    /// <remarks>Thread-safe; see <see cref="Add"/>.</remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Decrement() => Add(-1);

    /// <summary>The exact value: the global count plus every processor's delta.</summary>
    /// <returns>
    /// A value that includes every add that returned before this call began, none that began after
    /// it returned, and each concurrent add either fully or not at all (see the class remarks; not a
    /// linearizable snapshot). With no add in flight it is the exact value.
    /// </returns>
    /// <remarks>Thread-safe; O(processors); takes the fold lock, so no fold is half-seen. Allocates nothing.</remarks>
    public long Sum()
    {
        lock (_foldLock)
        {
            // Folds (the only multi-step moves of value between locations) are excluded by the
            // lock; every other change is a single atomic add on one location, so reading each
            // location once with a volatile read sees each add fully or not at all.
            long sum = Volatile.Read(ref _global.Value);
            PaddedInt64[] cells = _cells;
            for (int i = 0; i < cells.Length; i++)
            {
                sum = unchecked(sum + Volatile.Read(ref cells[i].Value));
            }

            return sum;
        }
    }

    /// <summary>
    /// Compares the counter's value with <paramref name="value"/>, reading only the approximate
    /// value when it is further than <see cref="ErrorBound"/> from <paramref name="value"/> and the
    /// exact <see cref="Sum"/> otherwise (like <c>percpu_counter_compare</c>).
    /// </summary>
    /// <param name="value">The value to compare with.</param>
    /// <returns>The sign of <c>(counter value - <paramref name="value"/>)</c>: -1, 0 or 1.</returns>
    /// <remarks>
    /// Exact when no add is in flight. Under concurrent adds the answer comes either from the
    /// approximate value, which is then off by at most <see cref="ErrorBound"/> plus the deltas of
    /// the adds in flight, or from a <see cref="Sum"/> with its guarantees: it is right for some
    /// value the counter could have had during the call, give or take the in-flight deltas.
    /// Thread-safe; lock-free unless it has to sum.
    /// </remarks>
    public int Compare(long value)
    {
        Int128 difference = (Int128)ApproximateValue - value;
        long bound = ErrorBound;
        if (difference > bound)
        {
            return 1;
        }

        if (difference < -bound)
        {
            return -1;
        }

        return Sum().CompareTo(value) switch
        {
            < 0 => -1,
            > 0 => 1,
            _ => 0,
        };
    }

    /// <summary>Sets the counter to 0.</summary>
    /// <remarks>
    /// Thread-safe. Every add that returned before the call is discarded, every add called after
    /// it returned is kept, and each concurrent add is either discarded or kept as a whole (each
    /// location is emptied with one atomic exchange, and folds are excluded by the lock). So after a
    /// reset racing with adds, the counter holds some subset of the racing adds, never a part of one.
    /// </remarks>
    public void Reset()
    {
        lock (_foldLock)
        {
            PaddedInt64[] cells = _cells;
            for (int i = 0; i < cells.Length; i++)
            {
                Interlocked.Exchange(ref cells[i].Value, 0);
            }

            Interlocked.Exchange(ref _global.Value, 0);
        }
    }

    /// <summary>
    /// Moves a cell's whole value into the global count. Under the lock so that <see cref="Sum"/>
    /// never sees the value in neither place (or in both).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Fold(ref long cell)
    {
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(CounterMutants.UnlockedFold))
        {
            Interlocked.Add(ref _global.Value, Interlocked.Exchange(ref cell, 0));
            return;
        }
#endif
        lock (_foldLock)
        {
            // Exchange, not "subtract what I saw": adds racing on the same cell (a thread whose
            // cached processor id is stale) land either before it (moved now) or after it (stay).
            long moved = Interlocked.Exchange(ref cell, 0);
            Interlocked.Add(ref _global.Value, moved);
        }
    }

    /// <summary>Whether <c>-batch &lt; x &lt; batch</c>, without <see cref="Math.Abs(long)"/>'s overflow on <see cref="long.MinValue"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool IsBelowBatch(long x) =>
        unchecked((ulong)(x + (_batch - 1))) <= (ulong)(2L * (_batch - 1));
}
