using System.Collections.Concurrent;

using Primitives.Counters;

namespace Primitives.Tests.Counters;

/// <summary>
/// Multi-threaded behaviour of <see cref="PerCpuReservation"/>: the capacity is never
/// over-committed at any instant, no space leaks, and releases are checked exactly, with more
/// threads than cores, random sizes and a pool that runs out often (so the slow paths race).
/// </summary>
public sealed class PerCpuReservationConcurrencyTests
{
    private const int Threads = 8;

    /// <summary>
    /// Each worker adds what it was granted to a ledger after TryReserve returns and takes it off
    /// before calling Release, so the ledger never exceeds what callers really hold; it exceeding
    /// the capacity at any instant (checked by every worker and by a watcher thread) would be an
    /// over-commit.
    /// </summary>
    [Theory]
    [InlineData(1_000, 1)]
    [InlineData(1_000, 16)]
    [InlineData(10_000, 1_024)]
    public void CapacityIsNeverOvercommittedAndNoSpaceLeaks(long capacity, long chunkSize)
    {
        var pool = new PerCpuReservation(capacity, chunkSize);
        long ledger = 0;
        long maxSeen = 0;
        long grants = 0;
        long refusals = 0;
        int workersDone = 0;
        const int Workers = Threads - 1;

        PerCpuCounterConcurrencyTests.RunThreads(Threads, t =>
        {
            if (t == Workers)
            {
                // The watcher: samples the ledger continuously while the workers run.
                while (Volatile.Read(ref workersDone) < Workers)
                {
                    long held = Volatile.Read(ref ledger);
                    Assert.InRange(held, 0, capacity);
                    Assert.InRange(pool.Reserved, 0, capacity);
                    Thread.Yield();
                }

                return;
            }

            var random = new Random(t * 7919);
            var holdings = new Stack<long>();
            for (int i = 0; i < 20_000; i++)
            {
                if (holdings.Count < 10 && random.Next(3) != 0)
                {
                    long amount = random.Next(1, (int)(capacity / 4));
                    if (pool.TryReserve(amount))
                    {
                        long held = Interlocked.Add(ref ledger, amount);
                        Assert.True(held <= capacity, $"over-commit: {held} units held out of {capacity}");
                        UpdateMax(ref maxSeen, held);
                        holdings.Push(amount);
                        Interlocked.Increment(ref grants);
                    }
                    else
                    {
                        Interlocked.Increment(ref refusals);
                    }
                }
                else if (holdings.Count > 0)
                {
                    long amount = holdings.Pop();
                    Interlocked.Add(ref ledger, -amount);
                    pool.Release(amount);
                }
            }

            while (holdings.Count > 0)
            {
                long amount = holdings.Pop();
                Interlocked.Add(ref ledger, -amount);
                pool.Release(amount);
            }

            Interlocked.Increment(ref workersDone);
        });

        Assert.Equal(0, ledger);
        Assert.Equal(0, pool.Reserved);
        Assert.Equal(capacity, pool.Available);
        Assert.True(grants > 0 && refusals > 0, $"the pool should have both granted ({grants}) and refused ({refusals})");
        Assert.InRange(maxSeen, 1, capacity);

        // No unit was left stranded in a cache: one caller can take everything.
        Assert.True(pool.TryReserve(capacity));
        pool.Release(capacity);
    }

    [Fact]
    public void ReservationsReleasedByOtherThreadsAreAccountedExactly()
    {
        // Producers reserve, consumers release what producers hand over: releases usually find
        // the units counted on another processor, and often no single count covers them.
        const long Capacity = 5_000;
        var pool = new PerCpuReservation(Capacity, chunkSize: 32);
        var handoff = new ConcurrentQueue<long>();
        long ledger = 0;
        int producersDone = 0;
        const int Producers = Threads / 2;

        PerCpuCounterConcurrencyTests.RunThreads(Threads, t =>
        {
            var random = new Random(t);
            if (t < Producers)
            {
                for (int i = 0; i < 20_000; i++)
                {
                    long amount = random.Next(1, 200);
                    if (pool.TryReserve(amount))
                    {
                        Assert.True(Interlocked.Add(ref ledger, amount) <= Capacity);
                        handoff.Enqueue(amount);
                    }
                    else
                    {
                        Thread.Yield();
                    }
                }

                Interlocked.Increment(ref producersDone);
                return;
            }

            while (Volatile.Read(ref producersDone) < Producers || !handoff.IsEmpty)
            {
                if (handoff.TryDequeue(out long amount))
                {
                    Interlocked.Add(ref ledger, -amount);
                    pool.Release(amount);
                }
                else
                {
                    Thread.Yield();
                }
            }
        });

        Assert.Equal(0, pool.Reserved);
        Assert.Equal(Capacity, pool.Available);
        Assert.Throws<InvalidOperationException>(() => pool.Release(1));
        Assert.True(pool.TryReserve(Capacity));
    }

    [Fact]
    public void OverReleasesRacingWithCorrectCallersAreRejectedWithoutCorruptingState()
    {
        const long Capacity = 2_000;
        var pool = new PerCpuReservation(Capacity, chunkSize: 8);
        long rejected = 0;

        PerCpuCounterConcurrencyTests.RunThreads(Threads, t =>
        {
            if (t == 0)
            {
                // Asks for more than the capacity, so every release must be refused; each refusal
                // freezes every count (slow path) while the others reserve and release, which must
                // neither make a correct release fail nor lose or create units.
                for (int i = 0; i < 2_000; i++)
                {
                    Assert.Throws<InvalidOperationException>(() => pool.Release(Capacity + 1));
                    rejected++;
                }

                return;
            }

            var random = new Random(t);
            for (int i = 0; i < 20_000; i++)
            {
                long amount = random.Next(1, 100);
                if (pool.TryReserve(amount))
                {
                    pool.Release(amount);
                }
            }
        });

        Assert.Equal(2_000, rejected);
        Assert.Equal(0, pool.Reserved);
        Assert.Equal(Capacity, pool.Available);
        Assert.True(pool.TryReserve(Capacity));
    }

    /// <summary>
    /// With only reserves in flight, free units only decrease, so once a reserve of one unit has
    /// failed (no unit was free at that instant, by the documented guarantee) no reserve that begins
    /// afterwards may succeed. A unit stranded in transit to another processor's cache during the
    /// failing call's drain would break this; so would a unit left in a cache. The total granted
    /// must be the whole capacity.
    /// </summary>
    [Theory]
    [InlineData(20_000, 64)]
    [InlineData(5_000, 1_024)]
    public void WithNoReleasesAFailedReserveMeansThePoolIsTrulyEmpty(long capacity, long chunkSize)
    {
        var pool = new PerCpuReservation(capacity, chunkSize);
        long granted = 0;
        int failureSeen = 0;
        long lateGrants = 0;

        PerCpuCounterConcurrencyTests.RunThreads(Threads, _ =>
        {
            while (true)
            {
                bool failedBefore = Volatile.Read(ref failureSeen) != 0;
                if (pool.TryReserve(1))
                {
                    Interlocked.Increment(ref granted);
                    if (failedBefore)
                    {
                        Interlocked.Increment(ref lateGrants);
                    }
                }
                else
                {
                    Volatile.Write(ref failureSeen, 1);
                    return;
                }
            }
        });

        Assert.Equal(0, lateGrants);
        Assert.Equal(capacity, granted);
        Assert.Equal(capacity, pool.Reserved);
        Assert.Equal(0, pool.Available);
    }

    private static void UpdateMax(ref long max, long value)
    {
        long seen = Volatile.Read(ref max);
        while (value > seen)
        {
            long witnessed = Interlocked.CompareExchange(ref max, value, seen);
            if (witnessed == seen)
            {
                return;
            }

            seen = witnessed;
        }
    }
}
