using System.Diagnostics;

using Primitives.Locking;

namespace Primitives.Tests.Locking;

/// <summary>
/// Many threads, random operations, invariants checked with holder counters inside the critical
/// sections; every run is bounded in time and a hang (lost wakeup) fails the join.
/// </summary>
public class SixLockStressTests
{
    private static readonly TimeSpan RunTime = TimeSpan.FromMilliseconds(700);

    public static TheoryData<SixLockOptions> Modes => new() { SixLockOptions.None, SixLockOptions.PerCpuReaders };

    private sealed class Holders
    {
        public int Readers;
        public int Intents;
        public int Writers;
        public int Violations;
        public long Ops;

        public void Check(bool ok)
        {
            if (!ok)
            {
                Interlocked.Increment(ref Violations);
            }
        }
    }

    private static void Critical(Holders h, SixLockType type)
    {
        switch (type)
        {
            case SixLockType.Read:
                Interlocked.Increment(ref h.Readers);
                h.Check(Volatile.Read(ref h.Writers) == 0);
                Thread.SpinWait(20);
                h.Check(Volatile.Read(ref h.Writers) == 0);
                Interlocked.Decrement(ref h.Readers);
                break;
            case SixLockType.Intent:
                h.Check(Interlocked.Increment(ref h.Intents) == 1);
                Thread.SpinWait(20);
                Interlocked.Decrement(ref h.Intents);
                break;
            default:
                h.Check(Interlocked.Increment(ref h.Writers) == 1);
                h.Check(Volatile.Read(ref h.Readers) == 0);
                Thread.SpinWait(20);
                h.Check(Volatile.Read(ref h.Readers) == 0);
                Interlocked.Decrement(ref h.Writers);
                break;
        }
    }

    private static void RunThreads(int count, Action<int, Func<bool>> body)
    {
        var sw = Stopwatch.StartNew();
        Func<bool> running = () => sw.Elapsed < RunTime;
        var threads = Enumerable.Range(0, count).Select(i => new Thread(() => body(i, running)) { IsBackground = true }).ToArray();
        foreach (var t in threads)
        {
            t.Start();
        }

        foreach (var t in threads)
        {
            Assert.True(t.Join(TimeSpan.FromSeconds(20)), "a thread hung: lost wakeup or leaked lock");
        }
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void MixedReadIntentWriteKeepsMutualExclusion(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        var h = new Holders();
        RunThreads(6, (id, running) =>
        {
            var rng = new Random(id);
            while (running())
            {
                int op = rng.Next(10);
                if (op < 6)
                {
                    lk.Lock(SixLockType.Read);
                    Critical(h, SixLockType.Read);
                    lk.Unlock(SixLockType.Read);
                }
                else
                {
                    lk.Lock(SixLockType.Intent);
                    Interlocked.Increment(ref h.Intents);
                    h.Check(Volatile.Read(ref h.Intents) == 1);
                    if (op < 9)
                    {
                        lk.Lock(SixLockType.Write);
                        Critical(h, SixLockType.Write);
                        lk.Unlock(SixLockType.Write);
                    }

                    Interlocked.Decrement(ref h.Intents);
                    lk.Unlock(SixLockType.Intent);
                }

                Interlocked.Increment(ref h.Ops);
            }
        });
        Assert.Equal(0, h.Violations);
        Assert.False(lk.IsHeld);
        Assert.Empty(lk.GetWaiters());
        Assert.True(h.Ops > 100);
    }

    [Fact]
    public void ExclusivePingPongLosesNoWakeups()
    {
        var lk = new SixLock();
        long counter = 0;
        RunThreads(4, (_, running) =>
        {
            while (running())
            {
                lk.Lock(SixLockType.Intent);
                long v = counter;
                counter = v + 1;
                lk.Unlock(SixLockType.Intent);
            }
        });
        Assert.False(lk.IsHeld);
        Assert.True(counter > 100);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void TimeoutsAndCancellationUnderContentionNeverLeakTheLock(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        var h = new Holders();
        RunThreads(6, (id, running) =>
        {
            var rng = new Random(id * 7919);
            while (running())
            {
                var type = rng.Next(3) == 0 ? SixLockType.Read : SixLockType.Intent;
                bool got;
                try
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromTicks(rng.Next(1, 3000)));
                    got = lk.TryLock(type, TimeSpan.FromTicks(rng.Next(0, 3000)), cts.Token);
                }
                catch (OperationCanceledException)
                {
                    got = false;
                }

                if (!got)
                {
                    continue;
                }

                if (type == SixLockType.Intent)
                {
                    h.Check(Interlocked.Increment(ref h.Intents) == 1);
                    if (rng.Next(2) == 0 && lk.TryLock(SixLockType.Write, TimeSpan.FromTicks(rng.Next(0, 3000))))
                    {
                        Critical(h, SixLockType.Write);
                        lk.Unlock(SixLockType.Write);
                    }

                    Interlocked.Decrement(ref h.Intents);
                }
                else
                {
                    Critical(h, SixLockType.Read);
                }

                lk.Unlock(type);
            }
        });
        Assert.Equal(0, h.Violations);
        Assert.False(lk.IsHeld);
        Assert.Empty(lk.GetWaiters());
    }

    [Fact]
    public void RelockDetectsEveryInterveningWrite()
    {
        var lk = new SixLock();
        int data = 0;
        int violations = 0;
        RunThreads(4, (id, running) =>
        {
            while (running())
            {
                if (id == 0)
                {
                    lk.Lock(SixLockType.Intent);
                    lk.Lock(SixLockType.Write);
                    data++;
                    lk.Unlock(SixLockType.Write);
                    lk.Unlock(SixLockType.Intent);
                    continue;
                }

                lk.Lock(SixLockType.Read);
                int seq = lk.Seq;
                int seen = data;
                lk.Unlock(SixLockType.Read);
                Thread.SpinWait(50);
                if (lk.TryRelock(SixLockType.Read, seq))
                {
                    if (data != seen)
                    {
                        Interlocked.Increment(ref violations);
                    }

                    lk.Unlock(SixLockType.Read);
                }
            }
        });
        Assert.Equal(0, violations);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void DowngradeAndUpgradeUnderContention()
    {
        var lk = new SixLock();
        var h = new Holders();
        RunThreads(4, (id, running) =>
        {
            while (running())
            {
                if (id % 2 == 0)
                {
                    lk.Lock(SixLockType.Intent);
                    lk.Lock(SixLockType.Write);
                    Critical(h, SixLockType.Write);
                    lk.Unlock(SixLockType.Write);
                    lk.Downgrade();
                    Critical(h, SixLockType.Read);
                    lk.Unlock(SixLockType.Read);
                }
                else
                {
                    lk.Lock(SixLockType.Read);
                    Critical(h, SixLockType.Read);
                    if (lk.TryUpgrade())
                    {
                        if (lk.TryLock(SixLockType.Write))
                        {
                            Critical(h, SixLockType.Write);
                            lk.Unlock(SixLockType.Write);
                        }

                        lk.Unlock(SixLockType.Intent);
                    }
                    else
                    {
                        lk.Unlock(SixLockType.Read);
                    }
                }
            }
        });
        Assert.Equal(0, h.Violations);
        Assert.False(lk.IsHeld);
    }
}
