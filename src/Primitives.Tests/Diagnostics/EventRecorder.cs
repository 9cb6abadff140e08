using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

namespace Primitives.Tests.Diagnostics;

/// <summary>
/// An <see cref="EventListener"/> that enables one source (optionally with its EventCounters at
/// <paramref name="counterIntervalSeconds"/>) and keeps what it writes.
/// </summary>
internal sealed class EventRecorder : EventListener
{
    public EventRecorder(EventSource source, double counterIntervalSeconds = 0)
    {
        // Enabled here rather than in OnEventSourceCreated, which the base constructor calls before
        // this one has run: the sources are known, so no name matching is needed.
        Dictionary<string, string?>? args = counterIntervalSeconds > 0
            ? new() { ["EventCounterIntervalSec"] = counterIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture) }
            : null;
        EnableEvents(source, EventLevel.Informational, EventKeywords.All, args);
    }

    public ConcurrentQueue<EventWrittenEventArgs> Events { get; } = new();

    /// <summary>The events named <paramref name="eventName"/> whose first payload is <paramref name="lockClass"/>.</summary>
    public EventWrittenEventArgs[] For(string eventName, string lockClass) =>
        [.. Events.Where(e => e.EventName == eventName && e.Payload is { Count: > 0 } p && Equals(p[0], lockClass))];

    /// <summary>The payloads of the EventCounters named <paramref name="counterName"/> written so far.</summary>
    public IDictionary<string, object>[] Counters(string counterName) =>
        [.. Events.Where(e => e.EventName == "EventCounters" && e.Payload is { Count: > 0 })
            .Select(e => (IDictionary<string, object>)e.Payload![0]!)
            .Where(p => Equals(p["Name"], counterName))];

    /// <summary>Waits (generously) until <paramref name="done"/> holds; false if it never does.</summary>
    public static bool WaitUntil(Func<bool> done)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!done())
        {
            if (DateTime.UtcNow > until)
            {
                return false;
            }

            Thread.Sleep(10);
        }

        return true;
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData) => Events.Enqueue(eventData);
}
