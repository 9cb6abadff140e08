using Primitives.Closures;
using Primitives.Diagnostics;

namespace Primitives.Tests.Diagnostics;

/// <summary>
/// The closure lifecycle counters: totals read before and after a known piece of work. Other tests
/// do not run meanwhile (the collection runs alone), but continuations of earlier ones may still
/// finish, so the checks are lower bounds on the deltas plus exact in-flight accounting of our own.
/// </summary>
[Collection(DiagnosticsCollection.Name)]
public class ClosureCountersTests
{
    [Fact]
    public void CreatedCompletedInFlightAndWaitsFollowTheLifecycle()
    {
        using var recorder = new EventRecorder(ClosureEvents.Log);
        Assert.True(ClosureEvents.IsCounting); // enabling the source turns counting on
        long created = ClosureEvents.Created;
        long completed = ClosureEvents.Completed;
        long waits = ClosureEvents.Waits;

        var parent = new Closure();

        // A sync that has to wait for a reference dropped by another thread.
        parent.Get();
        var putter = new Thread(() =>
        {
            Thread.Sleep(10);
            parent.Put();
        });
        putter.Start();
        parent.Sync();
        Assert.True(putter.Join(TimeSpan.FromSeconds(30)));
        Assert.True(ClosureEvents.Waits >= waits + 1);

        var children = Enumerable.Range(0, 3).Select(_ => new Closure(parent)).ToArray();
        Assert.True(ClosureEvents.Created >= created + 4);
        Assert.True(ClosureEvents.InFlight >= 4);

        foreach (var child in children)
        {
            child.Return();
        }

        parent.Return();
        Assert.True(parent.IsFinished);
        Assert.True(ClosureEvents.Completed >= completed + 4);
        Assert.True(ClosureEvents.InFlight >= 0);
    }

    [Fact]
    public void EventCountersArePublished()
    {
        using var recorder = new EventRecorder(ClosureEvents.Log, counterIntervalSeconds: 0.1);
        var closure = new Closure();
        closure.Return();
        foreach (string name in new[] { "closures-created", "closures-completed", "closures-in-flight", "closure-waits" })
        {
            Assert.True(EventRecorder.WaitUntil(() => recorder.Counters(name).Length != 0), name);
        }

        // The counter group takes its baseline on its own timer thread, possibly after the closure
        // above: keep creating closures until an interval reports them.
        Assert.True(EventRecorder.WaitUntil(() =>
        {
            new Closure().Return();
            return recorder.Counters("closures-created").Any(c => Convert.ToDouble(c["Increment"], null) >= 1)
                && recorder.Counters("closures-completed").Any(c => Convert.ToDouble(c["Increment"], null) >= 1);
        }));
    }
}
