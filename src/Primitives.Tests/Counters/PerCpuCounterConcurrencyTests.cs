using Primitives.Counters;

namespace Primitives.Tests.Counters;

/// <summary>
/// Multi-threaded behaviour of <see cref="PerCpuCounter"/>: exact sums after joins, and the
/// documented contract of a <see cref="PerCpuCounter.Sum"/> or <see cref="PerCpuCounter.Reset"/>
/// that races with adds. More threads than cores, small batches so that folds race too.
/// </summary>
public sealed class PerCpuCounterConcurrencyTests
{
    private const int Threads = 8;

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(PerCpuCounter.DefaultBatch)]
    public void SumIsExactOnceAllAddersHaveJoined(int batch)
    {
        var counter = new PerCpuCounter(batch);
        var expected = new long[Threads];
        RunThreads(Threads, t =>
        {
            var random = new Random(t);
            for (int i = 0; i < 50_000; i++)
            {
                long delta = random.Next(5) switch
                {
                    0 => 1,
                    1 => -1,
                    2 => random.Next(-batch, batch + 1),
                    3 => random.Next(-10 * batch, 10 * batch + 1), // often straight to the global count
                    _ => 1,
                };
                if (delta == 1)
                {
                    counter.Increment();
                }
                else if (delta == -1)
                {
                    counter.Decrement();
                }
                else
                {
                    counter.Add(delta);
                }

                expected[t] += delta;
            }
        });

        long total = expected.Sum();
        Assert.Equal(total, counter.Sum());
        Assert.InRange(counter.ApproximateValue, total - counter.ErrorBound, total + counter.ErrorBound);
        Assert.Equal(0, counter.Compare(total));
    }

    [Fact]
    public void RacingSumsOfIncrementsAreMonotonicAndBetweenCompletedAndStartedAdds()
    {
        var counter = new PerCpuCounter(batch: 4);
        long started = 0;
        long completed = 0;
        int writersDone = 0;
        const int Writers = Threads - 1;
        long checkedSums = 0;

        RunThreads(Threads, t =>
        {
            if (t < Writers)
            {
                for (int i = 0; i < 100_000; i++)
                {
                    Interlocked.Increment(ref started);
                    counter.Increment();
                    Interlocked.Increment(ref completed);
                }

                Interlocked.Increment(ref writersDone);
                return;
            }

            long previous = 0;
            while (Volatile.Read(ref writersDone) < Writers)
            {
                // Every add counted in `before` returned before Sum began, so it is included;
                // every add Sum includes had started before Sum returned, so it is in `after`.
                long before = Volatile.Read(ref completed);
                long sum = counter.Sum();
                long after = Volatile.Read(ref started);
                Assert.InRange(sum, before, after);
                Assert.True(sum >= previous, $"Sum went back from {previous} to {sum}");
                previous = sum;
                checkedSums++;
            }
        });

        Assert.True(checkedSums > 0);
        Assert.Equal(Writers * 100_000L, counter.Sum());
    }

    [Fact]
    public void RacingSumsOfMixedAddsStayWithinWhatCompletedAndWhatStarted()
    {
        // Adders of +5 and of -3: a sum must include every add of either sign that completed
        // before it began and none that started after it returned, so it lies between
        // 5 * completedUp - 3 * startedDown and 5 * startedUp - 3 * completedDown.
        var counter = new PerCpuCounter(batch: 8);
        long startedUp = 0, completedUp = 0, startedDown = 0, completedDown = 0;
        int writersDone = 0;
        const int Writers = Threads - 2;
        long checkedSums = 0;

        RunThreads(Threads, t =>
        {
            if (t < Writers)
            {
                bool up = t % 2 == 0;
                for (int i = 0; i < 50_000; i++)
                {
                    if (up)
                    {
                        Interlocked.Increment(ref startedUp);
                        counter.Add(5);
                        Interlocked.Increment(ref completedUp);
                    }
                    else
                    {
                        Interlocked.Increment(ref startedDown);
                        counter.Add(-3);
                        Interlocked.Increment(ref completedDown);
                    }
                }

                Interlocked.Increment(ref writersDone);
                return;
            }

            while (Volatile.Read(ref writersDone) < Writers)
            {
                // Counts read before the call bound what completed before it began; counts read
                // after it returns bound what had started by then.
                long upCompletedBefore = Volatile.Read(ref completedUp);
                long downCompletedBefore = Volatile.Read(ref completedDown);
                long sum = counter.Sum();
                long upStartedAfter = Volatile.Read(ref startedUp);
                long downStartedAfter = Volatile.Read(ref startedDown);
                Assert.InRange(
                    sum,
                    (5 * upCompletedBefore) - (3 * downStartedAfter),
                    (5 * upStartedAfter) - (3 * downCompletedBefore));
                Interlocked.Increment(ref checkedSums);
            }
        });

        Assert.True(checkedSums > 0);
        Assert.Equal((Writers / 2 * 50_000L * 5) - (Writers / 2 * 50_000L * 3), counter.Sum());
    }

    [Fact]
    public void ResetRacingWithAddsKeepsOnlyWholeAddsAndEveryLaterAdd()
    {
        const long Delta = 3; // below the batch of 4: adds land in cells and fold often
        var counter = new PerCpuCounter(batch: 4);
        int resets = 0;

        RunThreads(Threads, t =>
        {
            if (t == 0)
            {
                for (int i = 0; i < 2_000; i++)
                {
                    counter.Reset();
                    resets++;
                }

                return;
            }

            for (int i = 0; i < 20_000; i++)
            {
                counter.Add(Delta);
            }
        });

        long survivors = counter.Sum();
        Assert.Equal(2_000, resets);
        Assert.Equal(0, survivors % Delta);
        Assert.InRange(survivors, 0, (Threads - 1) * 20_000 * Delta);

        RunThreads(Threads, _ =>
        {
            for (int i = 0; i < 1_000; i++)
            {
                counter.Add(Delta);
            }
        });
        Assert.Equal(survivors + (Threads * 1_000 * Delta), counter.Sum());
    }

    [Fact]
    public void CompareIsExactOnceAddersHaveJoined()
    {
        var counter = new PerCpuCounter(batch: 64);
        RunThreads(Threads, t =>
        {
            for (int i = 0; i < 10_000; i++)
            {
                counter.Add(t % 2 == 0 ? 3 : -1);
            }
        });

        long total = (Threads / 2 * 3 * 10_000L) - (Threads / 2 * 10_000L);
        Assert.Equal(0, counter.Compare(total));
        Assert.Equal(1, counter.Compare(total - 1));
        Assert.Equal(-1, counter.Compare(total + 1));
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="count"/> threads released together; rethrows the first failure.</summary>
    internal static void RunThreads(int count, Action<int> body)
    {
        using var barrier = new Barrier(count);
        Exception? failure = null;
        var threads = Enumerable.Range(0, count).Select(t => new Thread(() =>
        {
            try
            {
                barrier.SignalAndWait();
                body(t);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, e, null);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        if (failure is not null)
        {
            throw new InvalidOperationException("A worker thread failed.", failure);
        }
    }
}
