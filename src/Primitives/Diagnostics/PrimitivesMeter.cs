using System.Diagnostics.Metrics;

namespace Primitives.Diagnostics;

/// <summary>
/// The <see cref="Meter"/> named <see cref="Name"/> and its instruments, for
/// <c>dotnet-counters monitor --counters Primitives</c>, OpenTelemetry or a <see cref="MeterListener"/>:
/// <list type="bullet">
/// <item><c>primitives.sixlock.contentions</c> (counter, waits; tags <c>lock.class</c>, <c>lock.type</c>),</item>
/// <item><c>primitives.sixlock.contention.wait_time</c> (counter, seconds; same tags),</item>
/// <item><c>primitives.closure.created</c>, <c>primitives.closure.completed</c>, <c>primitives.closure.waits</c>
/// (observable counters) and <c>primitives.closure.in_flight</c> (observable up-down counter).</item>
/// </list>
/// </summary>
/// <remarks>
/// The six-lock instruments are recorded only on the contended path and only while a listener has
/// them enabled (<see cref="Instrument.Enabled"/>). The closure instruments read the totals kept by
/// <see cref="ClosureEvents"/>: observing any of them turns that counting on (from then on; see
/// <see cref="ClosureEvents"/> for what that means for closures already alive).
/// Thread safety: every member is safe from any thread.
/// </remarks>
public static class PrimitivesMeter
{
    /// <summary>The meter's name.</summary>
    public const string Name = "Primitives";

    private static readonly Meter s_meter = new(Name, typeof(PrimitivesMeter).Assembly.GetName().Version?.ToString());

    /// <summary>Contended six-lock acquisitions (waits that queued), whatever their outcome.</summary>
    internal static readonly Counter<long> SixLockContentions =
        s_meter.CreateCounter<long>("primitives.sixlock.contentions", "{wait}", "SixLock acquisitions that had to wait");

    /// <summary>Total time spent in those waits, in seconds.</summary>
    internal static readonly Counter<double> SixLockWaitTime =
        s_meter.CreateCounter<double>("primitives.sixlock.contention.wait_time", "s", "Time SixLock waiters spent waiting");

    static PrimitivesMeter()
    {
        s_meter.CreateObservableCounter("primitives.closure.created", ObserveCreated, "{closure}", "Closures created since counting began");
        s_meter.CreateObservableCounter("primitives.closure.completed", ObserveCompleted, "{closure}", "Counted closures that finished");
        s_meter.CreateObservableUpDownCounter("primitives.closure.in_flight", ObserveInFlight, "{closure}", "Counted closures created and not finished");
        s_meter.CreateObservableCounter("primitives.closure.waits", ObserveWaits, "{wait}", "Closure Sync/SyncAsync calls that had to wait");
    }

    /// <summary>Runs the type initializer (which creates the meter and publishes every instrument) if it has not run yet.</summary>
    internal static void EnsureCreated()
    {
    }

    /// <summary>Whether a listener has the six-lock instruments enabled (two field reads).</summary>
    internal static bool SixLockEnabled => SixLockContentions.Enabled || SixLockWaitTime.Enabled;

    private static long ObserveCreated()
    {
        ClosureEvents.StartCounting();
        return ClosureEvents.Created;
    }

    private static long ObserveCompleted()
    {
        ClosureEvents.StartCounting();
        return ClosureEvents.Completed;
    }

    private static long ObserveInFlight()
    {
        ClosureEvents.StartCounting();
        return ClosureEvents.InFlight;
    }

    private static long ObserveWaits()
    {
        ClosureEvents.StartCounting();
        return ClosureEvents.Waits;
    }
}
