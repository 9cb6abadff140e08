using System.Diagnostics;
using System.Diagnostics.Tracing;

using Primitives.Locking;

namespace Primitives.Diagnostics;

/// <summary>
/// Contention events of <see cref="SixLock"/>: one event when a caller starts waiting and one when
/// it stops, with the wait time, the lock class (its name), the type, whether the lock was handed
/// over by an unlocker (rather than taken by the caller's own retry, a "barge") and whether the
/// caller got it at all; plus the EventCounters <c>contentions</c> and <c>contention-wait-time</c>.
/// </summary>
/// <remarks>
/// <para>
/// Listen with <c>dotnet-trace collect --providers Primitives-SixLock</c>, an
/// <see cref="EventListener"/>, or <c>dotnet-counters monitor --counters Primitives-SixLock</c>;
/// the same numbers are on the <see cref="PrimitivesMeter"/> instruments
/// <c>primitives.sixlock.contentions</c> and <c>primitives.sixlock.contention.wait_time</c>.
/// </para>
/// <para>
/// A contention is an acquisition that failed its fast path and its bounded pre-queue spin and
/// went on to queue (write: to set its write bit and wait for readers): synchronous
/// (<see cref="SixLock.Lock(SixLockType)"/> and its timeout, cancellation and hook overloads) and
/// asynchronous (<see cref="SixLock.LockAsync"/>, <see cref="SixLock.WriteAsync"/>) alike, in
/// either reader mode. Every start is followed by exactly one stop on the same thread (sync) or
/// continuation (async), including when the wait times out, is canceled or aborted by its hook,
/// or the hook throws.
/// </para>
/// <para>
/// Cost: only the contended path checks <see cref="EventSource.IsEnabled()"/> and the meter's
/// instruments, so without a listener it costs two predictable branches per contended acquisition
/// and nothing on the uncontended path.
/// </para>
/// </remarks>
[EventSource(Name = "Primitives-SixLock")]
public sealed class SixLockEvents : EventSource
{
    /// <summary>The single instance.</summary>
    public static readonly SixLockEvents Log = new();

    private static long s_contentions;
    private static long s_waitTicks;

    private IncrementingPollingCounter? _contentionCounter;
    private IncrementingPollingCounter? _waitTimeCounter;

    private SixLockEvents()
    {
    }

    /// <summary>Contentions (queued waits, whatever their outcome) counted while someone listened.</summary>
    public static long ContentionCount => Volatile.Read(ref s_contentions);

    /// <summary>Total time those waits took.</summary>
    public static TimeSpan ContentionWaitTime => Stopwatch.GetElapsedTime(0, Volatile.Read(ref s_waitTicks));

    /// <summary>A caller started waiting for a lock.</summary>
    /// <param name="lockClass">The lock's name, or empty.</param>
    /// <param name="type">The type asked for (0 read, 1 intent, 2 write).</param>
    [Event(1, Level = EventLevel.Informational, Message = "Contention on {0} for {1}")]
    public void ContentionStart(string lockClass, int type) => WriteEvent(1, lockClass, type);

    /// <summary>A caller stopped waiting for a lock.</summary>
    /// <param name="lockClass">The lock's name, or empty.</param>
    /// <param name="type">The type asked for (0 read, 1 intent, 2 write).</param>
    /// <param name="waitMicroseconds">How long the caller waited.</param>
    /// <param name="handedOver">
    /// <see langword="true"/> if an unlocker took the lock on the caller's behalf (a handoff);
    /// <see langword="false"/> if the caller took it by its own retry (a barge) or did not get it.
    /// </param>
    /// <param name="acquired">Whether the caller got the lock (<see langword="false"/>: timeout, cancellation, abort by the hook, or an exception).</param>
    [Event(2, Level = EventLevel.Informational, Version = 1, Message = "Contention on {0} for {1} ended after {2} us (handed over: {3}, acquired: {4})")]
    public void ContentionStop(string lockClass, int type, double waitMicroseconds, bool handedOver, bool acquired) =>
        WriteEvent(2, lockClass, type, waitMicroseconds, handedOver, acquired);

    /// <summary>Creates the EventCounters when a listener enables the source.</summary>
    /// <param name="command">The command.</param>
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable)
        {
            return;
        }

        _contentionCounter ??= new IncrementingPollingCounter("contentions", this, static () => ContentionCount)
        {
            DisplayName = "SixLock Contentions",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
        _waitTimeCounter ??= new IncrementingPollingCounter("contention-wait-time", this, static () => ContentionWaitTime.TotalMilliseconds)
        {
            DisplayName = "SixLock Contention Wait Time",
            DisplayUnits = "ms",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
    }

    /// <summary>Whether anyone listens: the source or a meter listener (checked on the contended path only).</summary>
    internal static bool IsActive => Log.IsEnabled() || PrimitivesMeter.SixLockEnabled;

    /// <summary>Starts a contention: emits the start event if the source is enabled; returns the start timestamp.</summary>
    internal static long ContentionBegin(SixLock owner, int type)
    {
        if (Log.IsEnabled())
        {
            Log.ContentionStart(owner.Name ?? string.Empty, type);
        }

        return Stopwatch.GetTimestamp();
    }

    /// <summary>Ends a contention begun with <see cref="ContentionBegin"/> (<paramref name="begin"/> 0: none was begun).</summary>
    internal static void ContentionEnd(SixLock owner, int type, long begin, bool handedOver, bool acquired)
    {
        if (begin == 0)
        {
            return;
        }

        long ticks = Stopwatch.GetTimestamp() - begin;
        Interlocked.Increment(ref s_contentions);
        Interlocked.Add(ref s_waitTicks, ticks);
        string lockClass = owner.Name ?? string.Empty;
        if (PrimitivesMeter.SixLockEnabled)
        {
            var tags = new TagList
            {
                { "lock.class", lockClass },
                { "lock.type", TypeName(type) },
            };
            PrimitivesMeter.SixLockContentions.Add(1, tags);
            PrimitivesMeter.SixLockWaitTime.Add((double)ticks / Stopwatch.Frequency, tags);
        }

        if (Log.IsEnabled())
        {
            Log.ContentionStop(lockClass, type, ticks * 1_000_000.0 / Stopwatch.Frequency, handedOver, acquired);
        }
    }

    private static string TypeName(int type) => type switch
    {
        0 => "read",
        1 => "intent",
        _ => "write",
    };
}
