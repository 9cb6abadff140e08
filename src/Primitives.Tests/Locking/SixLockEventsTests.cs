using System.Collections.Concurrent;
using System.Diagnostics.Tracing;

using Primitives.Diagnostics;
using Primitives.Locking;

namespace Primitives.Tests.Locking;

[Collection(Primitives.Tests.Diagnostics.DiagnosticsCollection.Name)]
public class SixLockEventsTests
{
    private sealed class Listener : EventListener
    {
        public ConcurrentQueue<EventWrittenEventArgs> Events { get; } = new();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Primitives-SixLock")
            {
                EnableEvents(source, EventLevel.Informational);
            }
        }

        protected override void OnEventWritten(EventWrittenEventArgs e) => Events.Enqueue(e);
    }

    [Fact]
    public void ContentionIsReportedWithClassTypeAndWaitTime()
    {
        using var listener = new Listener();
        Assert.True(SixLockEvents.Log.IsEnabled());
        string name = "events-" + Guid.NewGuid();
        var lk = new SixLock(name: name);
        lk.Lock(SixLockType.Intent);
        var t = new Thread(() =>
        {
            lk.Lock(SixLockType.Intent);
            lk.Unlock(SixLockType.Intent);
        });
        t.Start();
        while (lk.GetWaiters().Length == 0)
        {
            Thread.Sleep(1);
        }

        Thread.Sleep(5);
        lk.Unlock(SixLockType.Intent);
        Assert.True(t.Join(TimeSpan.FromSeconds(10)));
        var mine = listener.Events.Where(e => e.Payload is { Count: > 0 } p && Equals(p[0], name)).ToArray();
        Assert.Contains(mine, e => e.EventName == nameof(SixLockEvents.ContentionStart) && (int)e.Payload![1]! == (int)SixLockType.Intent);
        var stop = Assert.Single(mine, e => e.EventName == nameof(SixLockEvents.ContentionStop));
        Assert.True((double)stop.Payload![2]! > 0);
        Assert.True((bool)stop.Payload[3]!); // handed over
        Assert.True((bool)stop.Payload[4]!); // acquired
    }
}
