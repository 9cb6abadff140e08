using System.Diagnostics;
using Primitives.Statistics;

namespace Tour;

/// <summary>Exact and weighted statistics, the median/MAD estimator, and time stats of real work.</summary>
internal static class StatisticsTour
{
    public static void Run()
    {
        Section.Header("Statistics: exact integer mean/variance (Int128), weighted, median + MAD");

        var exact = new MeanAndVariance();
        var weighted = new MeanAndVarianceWeighted(weight: 2);
        var robust = new MedianAndAbsoluteDeviation(weight: 2);
        foreach (long x in new long[] { 10, 20, 30, -40, 1_000 })
        {
            exact.Update(x);
            weighted.Update(x);
            robust.Update(x);
        }
        Console.WriteLine($"  samples 10, 20, 30, -40, 1000");
        Console.WriteLine($"  exact:    n={exact.Count} mean={exact.Mean} variance={exact.Variance} stddev={exact.StandardDeviation}");
        Console.WriteLine($"  weighted: w=2 mean={weighted.Mean} stddev={weighted.StandardDeviation}");
        Console.WriteLine($"  median:   w=2 median={robust.Median} mad={robust.Deviation}");

        // Overflow is reported, never wrapped.
        var huge = new MeanAndVariance();
        try
        {
            for (int i = 0; i < 8; i++) huge.Update(long.MaxValue);
            Console.WriteLine("  overflow: not detected (this would be a bug)");
        }
        catch (OverflowException e)
        {
            Console.WriteLine($"  overflow: detected after {huge.Count} samples of long.MaxValue ({e.GetType().Name})");
        }

        Section.Header("TimeStats: latency of a real operation, direct then per-CPU buffered");
        var stats = new TimeStats("sha256-4KiB");
        var data = new byte[4096];
        Random.Shared.NextBytes(data);
        Span<byte> hash = stackalloc byte[32];
        for (int i = 0; i < 20_000; i++)
        {
            using (stats.Measure())
                System.Security.Cryptography.SHA256.HashData(data, hash);
        }
        long start = Stopwatch.GetTimestamp();
        stats.Record(start, start + Stopwatch.Frequency / 1000); // one explicit 1 ms event
        var snapshot = stats.GetSnapshot();
        Console.WriteLine(Section.Indent(snapshot.ToString()));
        Console.WriteLine($"  buffered path: {snapshot.IsBuffered}; JSON: {snapshot.ToJson().Length} bytes, starts {snapshot.ToJson()[..48]}...");
    }
}
