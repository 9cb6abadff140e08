using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// Time statistics under real concurrency: many recorders (more than processors, so threads share
/// processor slots and the slot lock and its direct-path fallback are exercised) and a concurrent
/// reader draining the buffers. Totals, count, minimum and maximum must be exact afterwards, and
/// no read may ever count an event twice.
/// </summary>
public class TimeStatsConcurrencyTests
{
    [Theory]
    [InlineData(nameof(BufferingPolicy.Always))]
    [InlineData(nameof(BufferingPolicy.Never))]
    [InlineData(nameof(BufferingPolicy.Automatic))]
    public void ConcurrentRecordersAndReaderSeeEveryEventExactlyOnce(string policyName)
    {
        var policy = Enum.Parse<BufferingPolicy>(policyName);
        const int Threads = 8;
        const int EventsPerThread = 50_000;
        var stats = new TimeStats("stress", policy);
        using var start = new Barrier(Threads + 1);
        int recordersLeft = Threads;
        long readerViolations = 0;
        long reads = 0;

        var recorders = Enumerable.Range(0, Threads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < EventsPerThread; i++)
            {
                long duration = 1 + (i % 1000) + t; // known: 1 .. 1000 + Threads - 1
                stats.Record(i, i + duration);
            }

            Interlocked.Decrement(ref recordersLeft);
        })).ToArray();

        var reader = new Thread(() =>
        {
            start.SignalAndWait();
            long previousCount = 0;
            while (Volatile.Read(ref recordersLeft) > 0)
            {
                var snapshot = stats.GetSnapshot();
                reads++;
                // Never more than recorded, never going back: a re-counted stale entry breaks one of these.
                if (snapshot.Count < previousCount || snapshot.Count > (long)Threads * EventsPerThread)
                {
                    Interlocked.Increment(ref readerViolations);
                }

                previousCount = snapshot.Count;
            }
        });

        foreach (var thread in recorders)
        {
            thread.Start();
        }

        reader.Start();
        foreach (var thread in recorders)
        {
            thread.Join();
        }

        reader.Join();

        long expectedTotal = 0;
        for (int t = 0; t < Threads; t++)
        {
            for (int i = 0; i < EventsPerThread; i++)
            {
                expectedTotal += 1 + (i % 1000) + t;
            }
        }

        var final = stats.GetSnapshot();
        Assert.Equal(0, readerViolations);
        Assert.True(reads > 0);
        Assert.Equal((long)Threads * EventsPerThread, final.Count);
        Assert.Equal(TimeStats.TicksToNanoseconds(expectedTotal), final.TotalDuration);
        Assert.Equal(TimeStats.TicksToNanoseconds(1), final.Duration.Min);
        Assert.Equal(TimeStats.TicksToNanoseconds(1000 + Threads - 1), final.Duration.Max);
        Assert.Equal(final.Count, stats.GetSnapshot().Count); // a second read after quiescence adds nothing
        // Always starts buffered; Automatic switches mid-run (events arrive ticks apart), under
        // concurrency, and must lose nothing in the switch.
        Assert.Equal(policy != BufferingPolicy.Never, final.IsBuffered);
    }
}
