using System.Diagnostics.Tracing;

using Primitives.Closures;

namespace Primitives.Diagnostics;

/// <summary>
/// Lifecycle counters of <see cref="Closure"/>s, as EventCounters of the EventSource
/// <c>Primitives-Closures</c> (<c>dotnet-counters monitor --counters Primitives-Closures</c>) and as
/// instruments of <see cref="PrimitivesMeter"/>: closures created, completed (finished), in flight
/// (created and not finished) and waits (a <c>Sync</c> or <c>SyncAsync</c> that had to wait).
/// </summary>
/// <remarks>
/// <para>
/// Cost: counting is off until someone first listens (this source is enabled, a meter listener
/// observes a closure instrument, or <see cref="StartCounting"/> is called). Until then a closure's
/// creation, finish and sync each read one static flag; <see cref="Closure.Get()"/> and
/// <see cref="Closure.Put"/> are not touched at all. Once on, counting stays on for the life of the
/// process (so the totals stay consistent when listeners come and go), and each creation, finish
/// and waiting sync adds one interlocked increment of a shared counter.
/// </para>
/// <para>
/// Only closures created after counting began are counted as created and, later, as completed, so
/// <see cref="InFlight"/> is exact for them and never negative; closures already alive when it began
/// are not counted at all.
/// </para>
/// <para>Thread safety: every member is safe from any thread.</para>
/// </remarks>
[EventSource(Name = "Primitives-Closures")]
public sealed class ClosureEvents : EventSource
{
    /// <summary>The single instance.</summary>
    public static readonly ClosureEvents Log = new();

    /// <summary>Whether counting is on; set once, never cleared (read on closure creation, finish and sync).</summary>
    internal static bool s_counting;

    private static long s_created;
    private static long s_completed;
    private static long s_waits;

    private IncrementingPollingCounter? _createdCounter;
    private IncrementingPollingCounter? _completedCounter;
    private PollingCounter? _inFlightCounter;
    private IncrementingPollingCounter? _waitsCounter;

    private ClosureEvents()
    {
        // The first closure touches this type (its counting flag): publish the meter's closure
        // instruments then, so a program that uses closures but never contends a SixLock has them too.
        PrimitivesMeter.EnsureCreated();
    }

    /// <summary>Closures created since counting began.</summary>
    public static long Created => Volatile.Read(ref s_created);

    /// <summary>Closures counted as created that have finished.</summary>
    public static long Completed => Volatile.Read(ref s_completed);

    /// <summary>Closures counted as created that have not finished yet (a snapshot; never negative).</summary>
    public static long InFlight => Math.Max(0, Created - Completed);

    /// <summary>Calls of <c>Sync</c>, <c>Sync(TimeSpan)</c> or <c>SyncAsync</c> that had to wait, since counting began.</summary>
    public static long Waits => Volatile.Read(ref s_waits);

    /// <summary>Whether counting is on.</summary>
    public static bool IsCounting => Volatile.Read(ref s_counting);

    /// <summary>Turns counting on for the rest of the process (idempotent), e.g. at startup so that <see cref="InFlight"/> covers every closure.</summary>
    public static void StartCounting() => Volatile.Write(ref s_counting, true);

    /// <summary>Enables the counters when a listener enables the source (and turns counting on).</summary>
    /// <param name="command">The command.</param>
    protected override void OnEventCommand(EventCommandEventArgs command)
    {
        if (command.Command != EventCommand.Enable)
        {
            return;
        }

        StartCounting();
        _createdCounter ??= new IncrementingPollingCounter("closures-created", this, static () => Created)
        {
            DisplayName = "Closures Created",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
        _completedCounter ??= new IncrementingPollingCounter("closures-completed", this, static () => Completed)
        {
            DisplayName = "Closures Completed",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
        _inFlightCounter ??= new PollingCounter("closures-in-flight", this, static () => InFlight)
        {
            DisplayName = "Closures In Flight",
        };
        _waitsCounter ??= new IncrementingPollingCounter("closure-waits", this, static () => Waits)
        {
            DisplayName = "Closure Sync Waits",
            DisplayRateTimeScale = TimeSpan.FromSeconds(1),
        };
    }

    /// <summary>A closure was created while counting; it remembers that it was counted.</summary>
    internal static void OnCreated() => Interlocked.Increment(ref s_created);

    /// <summary>A counted closure finished.</summary>
    internal static void OnCompleted() => Interlocked.Increment(ref s_completed);

    /// <summary>A sync had to wait.</summary>
    internal static void OnWait()
    {
        if (s_counting)
        {
            Interlocked.Increment(ref s_waits);
        }
    }
}
