using System.Diagnostics;
using System.Diagnostics.Tracing;

using Primitives.Locking;

namespace Primitives.Diagnostics;

/// <summary>
/// Contention events of <see cref="SixLock"/>: one event when a caller starts waiting and one when
/// it stops, with the wait time, the lock class (its name), the type and whether the lock was handed
/// over by an unlocker (rather than taken by the caller's own retry).
/// </summary>
/// <remarks>
/// Listen with <c>dotnet-trace collect --providers Primitives-SixLock</c> or an
/// <see cref="EventListener"/>. Only the slow path checks <see cref="EventSource.IsEnabled()"/>, so
/// the cost without a listener is one predictable branch per contended acquisition.
/// </remarks>
[EventSource(Name = "Primitives-SixLock")]
public sealed class SixLockEvents : EventSource
{
    /// <summary>The single instance.</summary>
    public static readonly SixLockEvents Log = new();

    private SixLockEvents()
    {
    }

    /// <summary>A caller started waiting for a lock.</summary>
    /// <param name="lockClass">The lock's name, or empty.</param>
    /// <param name="type">The type asked for (0 read, 1 intent, 2 write).</param>
    [Event(1, Level = EventLevel.Informational, Message = "Contention on {0} for {1}")]
    public void ContentionStart(string lockClass, int type) => WriteEvent(1, lockClass, type);

    /// <summary>A caller stopped waiting for a lock.</summary>
    /// <param name="lockClass">The lock's name, or empty.</param>
    /// <param name="type">The type asked for (0 read, 1 intent, 2 write).</param>
    /// <param name="waitMicroseconds">How long the caller waited.</param>
    /// <param name="handedOver">Whether an unlocker took the lock on the caller's behalf (or the caller gave up).</param>
    [Event(2, Level = EventLevel.Informational, Message = "Contention on {0} for {1} ended after {2} us")]
    public void ContentionStop(string lockClass, int type, double waitMicroseconds, bool handedOver) => WriteEvent(2, lockClass, type, waitMicroseconds, handedOver);

    internal static long ContentionBegin(SixLock owner, int type)
    {
        Log.ContentionStart(owner.Name ?? string.Empty, type);
        return Stopwatch.GetTimestamp();
    }

    internal static void ContentionEnd(SixLock owner, int type, long begin, bool handedOver)
    {
        if (begin != 0 && Log.IsEnabled())
        {
            double us = (Stopwatch.GetTimestamp() - begin) * 1_000_000.0 / Stopwatch.Frequency;
            Log.ContentionStop(owner.Name ?? string.Empty, type, us, handedOver);
        }
    }
}
