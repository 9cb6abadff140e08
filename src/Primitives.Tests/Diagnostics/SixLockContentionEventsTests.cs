using System.Diagnostics;
using System.Diagnostics.Tracing;

using Primitives.Diagnostics;
using Primitives.Locking;

namespace Primitives.Tests.Diagnostics;

/// <summary>
/// Forced contentions on a uniquely named lock, checked through the events' payloads: one start and
/// one stop per wait, the type, handoff vs not, acquired vs not, and a wait no shorter than the
/// time the holder kept the lock after the waiter had queued (a lower bound from the same clock, not
/// a speed assertion).
/// </summary>
[Collection(DiagnosticsCollection.Name)]
public class SixLockContentionEventsTests
{
    private const int Read = 0;
    private const int Write = 2;

    [Fact]
    public void ReaderBlockedByWriterGetsTheLockHandedOverAfterTheHold()
    {
        using var recorder = new EventRecorder(SixLockEvents.Log);
        string name = Unique("sync-read");
        var lk = new SixLock(name: name);
        long held = ReaderWaitsForWriter(lk);

        var start = Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStart), name));
        Assert.Equal(Read, (int)start.Payload![1]!);
        var stop = Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStop), name));
        AssertStop(stop, Read, handedOver: true, acquired: true, atLeastTicks: held);
    }

    [Fact]
    public void WriterWaitingForPerCpuReadersIsReported()
    {
        using var recorder = new EventRecorder(SixLockEvents.Log);
        string name = Unique("percpu-write");
        var lk = new SixLock(SixLockOptions.PerCpuReaders, name);
        lk.Lock(SixLockType.Read);
        var writer = new Thread(() =>
        {
            lk.Lock(SixLockType.Intent);
            lk.Lock(SixLockType.Write);
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
        });
        writer.Start();
        long held = HoldUntilQueuedThen(lk, () => lk.Unlock(SixLockType.Read));
        Assert.True(writer.Join(TimeSpan.FromSeconds(30)));

        var stop = Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStop), name));
        AssertStop(stop, Write, handedOver: true, acquired: true, atLeastTicks: held);
        Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStart), name));
    }

    [Fact]
    public async Task AsyncReaderBlockedByWriterGetsTheLockHandedOver()
    {
        using var recorder = new EventRecorder(SixLockEvents.Log);
        string name = Unique("async-read");
        var lk = new SixLock(name: name);
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        var pending = lk.ReadAsync();
        Assert.False(pending.IsCompleted);
        Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStart), name));
        Assert.Empty(recorder.For(nameof(SixLockEvents.ContentionStop), name));
        long queued = Stopwatch.GetTimestamp();
        Thread.Sleep(20);
        long held = Stopwatch.GetTimestamp() - queued;
        lk.Unlock(SixLockType.Write);
        lk.Unlock(SixLockType.Intent);
        using (await pending)
        {
        }

        var stop = Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStop), name));
        AssertStop(stop, Read, handedOver: true, acquired: true, atLeastTicks: held);
    }

    [Fact]
    public async Task CanceledAsyncWaitEndsItsContentionUnacquired()
    {
        using var recorder = new EventRecorder(SixLockEvents.Log);
        string name = Unique("async-cancel");
        var lk = new SixLock(name: name);
        var intent = await lk.IntentAsync(); // handles: released below from whatever thread we resume on
        var write = await lk.WriteAsync(intent);
        using var cts = new CancellationTokenSource();
        var pending = lk.ReadAsync(cts.Token);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await pending);
        write.Dispose();
        intent.Dispose();

        Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStart), name));
        var stop = Assert.Single(recorder.For(nameof(SixLockEvents.ContentionStop), name));
        AssertStop(stop, Read, handedOver: false, acquired: false, atLeastTicks: 0);
    }

    [Fact]
    public void TimedOutAndAbortedWaitsEndTheirContentionsUnacquired()
    {
        using var recorder = new EventRecorder(SixLockEvents.Log);
        string name = Unique("sync-abort");
        var lk = new SixLock(name: name);
        lk.Lock(SixLockType.Intent);
        var other = new Thread(() =>
        {
            Assert.False(lk.TryLock(SixLockType.Intent, TimeSpan.FromMilliseconds(20)));
            Assert.False(lk.Lock(SixLockType.Intent, static (_, _, _) => false));
            Assert.Throws<InvalidOperationException>(() => lk.Lock(SixLockType.Intent, static (_, _, _) => throw new InvalidOperationException("hook")));
        });
        other.Start();
        Assert.True(other.Join(TimeSpan.FromSeconds(30)));
        lk.Unlock(SixLockType.Intent);

        Assert.Equal(3, recorder.For(nameof(SixLockEvents.ContentionStart), name).Length);
        var stops = recorder.For(nameof(SixLockEvents.ContentionStop), name);
        Assert.Equal(3, stops.Length);
        Assert.All(stops, s => AssertStop(s, 1, handedOver: false, acquired: false, atLeastTicks: 0));
    }

    [Fact]
    public void EventCountersReportContentionsAndWaitTime()
    {
        long before = SixLockEvents.ContentionCount;
        var waitedBefore = SixLockEvents.ContentionWaitTime;
        using var recorder = new EventRecorder(SixLockEvents.Log, counterIntervalSeconds: 0.1);
        var lk = new SixLock(name: Unique("counters"));
        long held = ReaderWaitsForWriter(lk);

        Assert.True(SixLockEvents.ContentionCount >= before + 1);
        Assert.True(SixLockEvents.ContentionWaitTime - waitedBefore >= Stopwatch.GetElapsedTime(0, held));
        // The counters are polled every 0.1 s; wait (generously) for one that includes our wait.
        Assert.True(EventRecorder.WaitUntil(() => recorder.Counters("contentions").Any(c => Convert.ToDouble(c["Increment"], null) >= 1)));
        Assert.True(EventRecorder.WaitUntil(() => recorder.Counters("contention-wait-time").Any(c => Convert.ToDouble(c["Increment"], null) > 0)));
        var waitCounter = recorder.Counters("contention-wait-time")[0];
        Assert.Equal("ms", waitCounter["DisplayUnits"]);
    }

    /// <summary>
    /// Waits until a waiter is queued on <paramref name="lk"/>, keeps holding for 20 ms, then runs
    /// <paramref name="release"/>. Returns the ticks between seeing the waiter queued and the
    /// release: the waiter's reported wait cannot be shorter.
    /// </summary>
    /// <summary>
    /// One forced contention: this thread holds intent and write, a reader thread queues, and the
    /// holder releases once it sees the reader waiting. Returns when the reader is done, with how
    /// long (Stopwatch ticks) the lock was held after the reader was seen queued (see <see cref="HoldUntilQueuedThen"/>).
    /// </summary>
    private static long ReaderWaitsForWriter(SixLock lk)
    {
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        var reader = new Thread(() =>
        {
            lk.Lock(SixLockType.Read);
            lk.Unlock(SixLockType.Read);
        });
        reader.Start();
        long held = HoldUntilQueuedThen(lk, () =>
        {
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
        });
        Assert.True(reader.Join(TimeSpan.FromSeconds(30)));
        return held;
    }

    private static long HoldUntilQueuedThen(SixLock lk, Action release)
    {
        Assert.True(EventRecorder.WaitUntil(() => lk.GetWaiters().Length != 0));
        long queued = Stopwatch.GetTimestamp();
        Thread.Sleep(20);
        long held = Stopwatch.GetTimestamp() - queued;
        release();
        return held;
    }

    private static void AssertStop(EventWrittenEventArgs stop, int type, bool handedOver, bool acquired, long atLeastTicks)
    {
        var p = stop.Payload!;
        Assert.Equal(EventLevel.Informational, stop.Level);
        Assert.Equal(5, p.Count);
        Assert.Equal(type, (int)p[1]!);
        double us = (double)p[2]!;
        Assert.True(us >= atLeastTicks * 1_000_000.0 / Stopwatch.Frequency, $"waited {us} us, held {atLeastTicks} ticks");
        Assert.Equal(handedOver, (bool)p[3]!);
        Assert.Equal(acquired, (bool)p[4]!);
    }

    private static string Unique(string what) => $"test-{what}-{Guid.NewGuid():N}";
}
