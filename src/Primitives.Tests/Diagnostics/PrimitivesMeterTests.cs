using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

using Primitives.Closures;
using Primitives.Diagnostics;
using Primitives.Locking;

namespace Primitives.Tests.Diagnostics;

/// <summary>The <see cref="PrimitivesMeter"/> instruments, read with a <see cref="MeterListener"/>.</summary>
[Collection(DiagnosticsCollection.Name)]
public class PrimitivesMeterTests
{
    [Fact]
    public void SixLockContentionIsMeasuredWithItsClassAndType()
    {
        var measurements = new ConcurrentQueue<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PrimitivesMeter.Name)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => measurements.Enqueue((i.Name, v, ToDictionary(tags))));
        listener.Start();

        string name = $"meter-{Guid.NewGuid():N}";
        var lk = new SixLock(name: name);
        lk.Lock(SixLockType.Intent);
        var other = new Thread(() =>
        {
            lk.Lock(SixLockType.Intent);
            lk.Unlock(SixLockType.Intent);
        });
        other.Start();
        Assert.True(EventRecorder.WaitUntil(() => lk.GetWaiters().Length != 0));
        lk.Unlock(SixLockType.Intent);
        Assert.True(other.Join(TimeSpan.FromSeconds(30)));

        var mine = measurements.Where(m => Equals(m.Tags.GetValueOrDefault("lock.class"), name)).ToArray();
        var count = Assert.Single(mine, m => m.Instrument == "primitives.sixlock.contentions");
        Assert.Equal(1, count.Value);
        Assert.Equal("intent", count.Tags["lock.type"]);
        var wait = Assert.Single(mine, m => m.Instrument == "primitives.sixlock.contention.wait_time");
        Assert.True(wait.Value > 0);
    }

    [Fact]
    public void ClosureInstrumentsAreObservable()
    {
        var observed = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == PrimitivesMeter.Name && instrument.Name.StartsWith("primitives.closure.", StringComparison.Ordinal))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((i, v, _, _) => observed[i.Name] = v);
        listener.Start();
        listener.RecordObservableInstruments(); // turns counting on
        Assert.True(ClosureEvents.IsCounting);

        var closure = new Closure();
        listener.RecordObservableInstruments();
        long createdWhileAlive = observed["primitives.closure.created"];
        Assert.True(observed["primitives.closure.in_flight"] >= 1);
        closure.Return();
        listener.RecordObservableInstruments();
        Assert.True(observed["primitives.closure.completed"] >= 1);
        Assert.True(observed["primitives.closure.created"] >= createdWhileAlive);
        Assert.Equal(4, observed.Count);
    }

    private static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var d = new Dictionary<string, object?>();
        foreach (var t in tags)
        {
            d[t.Key] = t.Value;
        }

        return d;
    }
}
