using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>
/// Latency and frequency statistics of one named operation: how long each event took (its
/// duration) and how much time passed between events (the gap), as exact all-time mean and
/// standard deviation, weighted recent mean and standard deviation, minimum, maximum, total and
/// 15 quantiles. Modelled on bcachefs's <c>time_stats</c>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Recording.</b> <see cref="Record"/> takes the start and end of an event in
/// <see cref="Stopwatch"/> ticks; <see cref="Measure"/> returns a scope that records the time until
/// it is disposed. Events start on the <i>direct</i> path: each is folded into the shared
/// statistics under a lock. Once more than <see cref="BufferingMinEvents"/> events have been seen
/// and the weighted mean gap between them drops below <see cref="BufferingGapThreshold"/>, the
/// instance switches for good to the <i>buffered</i> path: each processor slot
/// (<see cref="Thread.GetCurrentProcessorId"/>) has a buffer of <see cref="BufferCapacity"/>
/// events, and only a full buffer takes the lock, to fold its events in. The switch is one-way.
/// </para>
/// <para>
/// <b>Exactly once.</b> A buffer is guarded by a one-word slot lock taken by compare-and-swap.
/// Whoever holds it (a recorder appending, or a reader draining) takes the filled prefix
/// [0, count) and resets the count to 0 before releasing it, so an event is consumed by exactly
/// one flush and a stale slot past the count is never read. A recorder that finds its slot held
/// (two threads share a processor slot: the processor id is only a hint) does not wait: it records
/// on the direct path. A slot lock is never held while waiting for the statistics lock, so the
/// lock order is always statistics lock, then slot lock.
/// </para>
/// <para>
/// <b>Reads.</b> <see cref="GetSnapshot"/> drains every buffer under the lock, so a snapshot
/// includes every event whose <see cref="Record"/> call returned before the snapshot began.
/// Duration statistics other than the weighted ones and the quantiles do not depend on the order
/// events are folded in; gaps do: a gap is the time between the starts of successive folded events
/// (the inter-arrival time), and an event that starts before the latest folded one contributes no
/// gap. Events recorded in order (one thread, or the direct path under a lock) get exactly
/// count - 1 gaps. On the buffered path the events of different processors are folded a buffer
/// at a time, out of order, so gap statistics become an approximation there: fewer gaps are
/// counted, and they tend to overstate the time between events by up to the number of processors
/// recording.
/// </para>
/// <para>
/// <b>Quantiles.</b> The 1/16 .. 15/16 quantiles of the durations are estimated by bcachefs's
/// streaming estimator: a complete binary tree of 15 nodes in Eytzinger order (one flat array),
/// each node tracking the median of the durations routed to it by sign steps that start at
/// max(d / 2, 1024 ticks) and halve whenever a duration lands within one step. On stationary
/// uniform, exponential and normal streams of 10^5 events every estimate is within 5% in rank of
/// the true quantile (tested); after a large shift in the distribution the estimates follow only
/// slowly, since steps never grow again. Nodes estimate independently, so their estimates can cross;
/// snapshots report them sorted (a rearrangement that never makes them less accurate).
/// The estimator is cheap but it can settle between the clusters of a multi-modal distribution,
/// and it has no tail quantiles; so every duration also goes into a log-linear histogram (16
/// buckets per power of two, 976 counters), from which <see cref="TimeStatsSnapshot.Percentile"/>
/// reports any percentile (p50, p90, p99, p99.9...) within 3.125% of a value of the true rank.
/// </para>
/// <para><b>Thread safety.</b> Every member is thread-safe.</para>
/// </remarks>
public sealed partial class TimeStats
{
    /// <summary>The weight shift of the recent (exponentially weighted) statistics: alpha = 1/256, as in bcachefs.</summary>
    public const int RecentWeight = 8;

    /// <summary>
    /// The events the direct path must have seen before buffering may start: the weighted mean gap
    /// needs that many samples (about 4 time constants of 2^<see cref="RecentWeight"/>) to mean
    /// anything.
    /// </summary>
    public const int BufferingMinEvents = 1024;

    /// <summary>
    /// Events per processor buffer: 31 {start, end} pairs and the 8-byte header fill 504 bytes, just
    /// under eight cache lines, and taking the lock once per 31 events keeps its cache line from
    /// bouncing between cores.
    /// </summary>
    public const int BufferCapacity = 31;

    /// <summary>
    /// The weighted mean gap below which recording switches to per-processor buffers: 32
    /// microseconds (about 31,000 events a second, bcachefs's threshold in its median version).
    /// Below it the shared lock's cache line would move between cores on almost every event; above
    /// it buffering would only delay visibility, which reads hide by draining anyway.
    /// </summary>
    public static readonly TimeSpan BufferingGapThreshold = TimeSpan.FromMicroseconds(32);

    /// <summary>
    /// The largest duration or gap the recent statistics take as is: their fixed point scales by
    /// 2^<see cref="RecentWeight"/>, so longer ones (past 2^55 ticks, over a year at 1 GHz) enter
    /// them clamped to this; every other statistic takes them exactly.
    /// </summary>
    private const long MaxRecentSample = long.MaxValue >> RecentWeight;

    private static readonly long s_bufferingGapThresholdTicks =
        Math.Max(1, (long)(BufferingGapThreshold.TotalSeconds * Stopwatch.Frequency));

    private readonly string _name;
    private readonly BufferingPolicy _bufferingPolicy;

    // Guards every field below except _buffers' reference, which is published once under it.
    private readonly Lock _lock = new();
    private MeanAndVariance _duration;
    private MeanAndVarianceWeighted _recentDuration = new(RecentWeight);
    private long _minDuration = long.MaxValue;
    private long _maxDuration;
    private MeanAndVariance _gap;
    private MeanAndVarianceWeighted _recentGap = new(RecentWeight);
    private long _minGap = long.MaxValue;
    private long _maxGap;
    private long _lastEventStart;
    private QuantileEstimator _quantiles;
    private readonly LogLinearHistogram _histogram = new();

    // Null until the switch to buffered recording; written once, under _lock, with a release store.
    private PerCpuEventBuffers? _buffers;

    /// <summary>Creates empty statistics for the operation called <paramref name="name"/>.</summary>
    /// <param name="name">The operation's name, shown in text and JSON output.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty or only white space.</exception>
    public TimeStats(string name)
        : this(name, BufferingPolicy.Automatic)
    {
    }

    /// <summary>Creates statistics with a fixed buffering policy (tests and benchmarks pin the path they measure).</summary>
    internal TimeStats(string name, BufferingPolicy bufferingPolicy)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _name = name;
        _bufferingPolicy = bufferingPolicy;
        if (bufferingPolicy == BufferingPolicy.Always)
        {
            _buffers = new PerCpuEventBuffers();
        }
    }

    /// <summary>The operation's name.</summary>
    public string Name => _name;

    /// <summary>The per-processor buffers, or <see langword="null"/> before the switch (tests hold slots through it).</summary>
    internal PerCpuEventBuffers? Buffers => Volatile.Read(ref _buffers);

    /// <summary>Whether events are recorded through per-processor buffers (see the type's remarks).</summary>
    public bool IsBuffered => Volatile.Read(ref _buffers) is not null;

    /// <summary>Records one event that started at <paramref name="startTimestamp"/> and ended at <paramref name="endTimestamp"/>.</summary>
    /// <param name="startTimestamp">The start, from <see cref="Stopwatch.GetTimestamp"/>.</param>
    /// <param name="endTimestamp">The end, from <see cref="Stopwatch.GetTimestamp"/>; not before the start.</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="endTimestamp"/> is before <paramref name="startTimestamp"/>, or more than
    /// <see cref="long.MaxValue"/> ticks after it.
    /// </exception>
    /// <exception cref="OverflowException">
    /// The statistics overflowed (more than 2^63 events, or a sum of squared durations past 2^128);
    /// the event that overflowed is not counted (nor, on the buffered path, the rest of its buffer).
    /// </exception>
    /// <remarks>
    /// Thread-safe and allocation-free. On the buffered path it takes the statistics lock only once
    /// per <see cref="BufferCapacity"/> events, to fold a full buffer.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Record(long startTimestamp, long endTimestamp)
    {
        // The second test catches a duration past long.MaxValue, whose difference wraps negative.
        if (endTimestamp < startTimestamp || endTimestamp - startTimestamp < 0)
        {
            ThrowInvalidInterval(startTimestamp, endTimestamp);
        }

        PerCpuEventBuffers? buffers = Volatile.Read(ref _buffers); // pairs with the release store in RecordDirect
        if (buffers is null || !TryRecordBuffered(buffers, startTimestamp, endTimestamp))
        {
            RecordDirect(startTimestamp, endTimestamp);
        }
    }

    /// <summary>Starts timing an event; disposing the returned scope records it.</summary>
    /// <returns>A scope holding the start timestamp; dispose it exactly once, e.g. <c>using var _ = stats.Measure();</c>.</returns>
    /// <remarks>Thread-safe and allocation-free (the scope is a struct).</remarks>
    public TimeStatsScope Measure() => new(this, Stopwatch.GetTimestamp());

    /// <summary>Drains every per-processor buffer and returns the statistics as they stand.</summary>
    /// <returns>An immutable snapshot, in nanoseconds.</returns>
    /// <remarks>Thread-safe; takes the lock for the time of the drain and the copy.</remarks>
    public TimeStatsSnapshot GetSnapshot()
    {
        lock (_lock)
        {
            DrainBuffers();
            return CreateSnapshot();
        }
    }

    /// <summary>The statistics as human-readable text, with units scaled from ns to s (see <see cref="TimeStatsSnapshot.ToString"/>).</summary>
    /// <returns>A multi-line description of a fresh snapshot.</returns>
    public override string ToString() => GetSnapshot().ToString();

    private void RecordDirect(long start, long end)
    {
        lock (_lock)
        {
            Fold(start, end);
            if (_buffers is null && ShouldStartBuffering())
            {
                Volatile.Write(ref _buffers, new PerCpuEventBuffers()); // pairs with the acquire in Record
            }
        }
    }

    private bool ShouldStartBuffering() =>
        _bufferingPolicy == BufferingPolicy.Automatic
        && _duration.Count > BufferingMinEvents
        && _recentGap.IsInitialized
        && _recentGap.Mean < s_bufferingGapThresholdTicks;

    /// <summary>Folds one event into the shared statistics. Caller holds <see cref="_lock"/>.</summary>
    private void Fold(long start, long end)
    {
        var single = new TimedEvent(start, end);
        Fold(new ReadOnlySpan<TimedEvent>(in single));
    }

    /// <summary>
    /// Folds events, in order, into the shared statistics. Caller holds <see cref="_lock"/>.
    /// The statistics structs are updated in place through references (copying them into locals
    /// measured slower, most of all for the single event of the direct path); the scalar minima,
    /// maxima and last start live in locals for the loop and are written back once.
    /// </summary>
    private void Fold(ReadOnlySpan<TimedEvent> events)
    {
        ref MeanAndVariance durations = ref _duration;
        ref MeanAndVariance gaps = ref _gap;
        ref MeanAndVarianceWeighted recentDuration = ref _recentDuration;
        ref MeanAndVarianceWeighted recentGap = ref _recentGap;
        long minDuration = _minDuration, maxDuration = _maxDuration;
        long minGap = _minGap, maxGap = _maxGap;
        long lastEventStart = _lastEventStart;
        bool hasLastEvent = _duration.Count != 0;
        try
        {
            foreach (TimedEvent e in events)
            {
                long duration = e.End - e.Start;
                durations.Update(duration);
                recentDuration.Update(Math.Min(duration, MaxRecentSample));
                minDuration = Math.Min(minDuration, duration);
                maxDuration = Math.Max(maxDuration, duration);
                _quantiles.Update((ulong)duration);
                _histogram.Add((ulong)duration);

                if (!hasLastEvent)
                {
                    hasLastEvent = true;
                    lastEventStart = e.Start;
                }
                else if (e.Start >= lastEventStart)
                {
                    long gap = e.Start - lastEventStart;
                    gaps.Update(gap);
                    recentGap.Update(Math.Min(gap, MaxRecentSample));
                    minGap = Math.Min(minGap, gap);
                    maxGap = Math.Max(maxGap, gap);
                    lastEventStart = e.Start;
                }
            }
        }
        finally
        {
            // Also when an update overflows: the events already folded stay consistent.
            _minDuration = minDuration;
            _maxDuration = maxDuration;
            _minGap = minGap;
            _maxGap = maxGap;
            _lastEventStart = lastEventStart;
        }
    }

    private TimeStatsSnapshot CreateSnapshot()
    {
        long[] quantiles = [];
        if (!_quantiles.IsEmpty)
        {
            Span<ulong> estimates = stackalloc ulong[QuantileEstimator.Count];
            _quantiles.CopyTo(estimates);

            // Each node estimates its quantile on its own, so after a shift in the distribution (or
            // on a very narrow one) neighbouring estimates can cross. The true quantile function is
            // non-decreasing, and sorting estimates of a monotone function never increases their Lp
            // error (the rearrangement of Chernozhukov, Fernandez-Val and Galichon, 2010), so the
            // snapshot reports them sorted: p50 is never below p44.
            estimates.Sort();
            quantiles = new long[QuantileEstimator.Count];
            for (int k = 0; k < quantiles.Length; k++)
            {
                quantiles[k] = TicksToNanoseconds(estimates[k] > long.MaxValue ? long.MaxValue : (long)estimates[k]);
            }
        }

        return new TimeStatsSnapshot(
            _name,
            _duration.Count,
            TicksToNanoseconds(_duration.Sum),
            Summarize(_duration, _recentDuration, _minDuration, _maxDuration),
            Summarize(_gap, _recentGap, _minGap, _maxGap),
            quantiles,
            _histogram.Total == 0 ? [] : _histogram.CopyCounts(),
            _histogram.Total,
            _buffers is not null);
    }

    private static DurationSummary Summarize(in MeanAndVariance allTime, in MeanAndVarianceWeighted recent, long min, long max) =>
        allTime.Count == 0
            ? new DurationSummary(0, 0, 0, 0, 0, 0, 0)
            : new DurationSummary(
                allTime.Count,
                TicksToNanoseconds(min),
                TicksToNanoseconds(max),
                TicksToNanoseconds(allTime.Mean),
                TicksToNanoseconds(Saturate(allTime.StandardDeviation)),
                TicksToNanoseconds(recent.Mean),
                TicksToNanoseconds(Saturate(recent.StandardDeviation)));

    private static long Saturate(ulong value) => value > long.MaxValue ? long.MaxValue : (long)value;

    /// <summary>Stopwatch ticks to nanoseconds, rounded toward zero and saturating (identity where the frequency is 1 GHz, as on Linux).</summary>
    internal static long TicksToNanoseconds(Int128 ticks)
    {
        Int128 nanoseconds = Stopwatch.Frequency == 1_000_000_000 ? ticks : ticks * 1_000_000_000 / Stopwatch.Frequency;
        return nanoseconds > long.MaxValue ? long.MaxValue : nanoseconds < long.MinValue ? long.MinValue : (long)nanoseconds;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowInvalidInterval(long start, long end) =>
        throw new ArgumentException(
            end < start
                ? $"The event ends ({end}) before it starts ({start})."
                : $"The event from {start} to {end} lasts more than {long.MaxValue} ticks.",
            nameof(end) + "Timestamp");
}
