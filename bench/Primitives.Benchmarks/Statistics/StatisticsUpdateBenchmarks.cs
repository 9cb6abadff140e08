using BenchmarkDotNet.Attributes;
using Primitives.Statistics;

namespace Primitives.Benchmarks.Statistics;

/// <summary>
/// Cost of one update of each statistic, over random latency-like samples (0 to 1 ms in ns).
/// Samples below 2^20 keep the 128-bit sums far from overflow for any run length (2^88
/// updates). Goal: under 5 ns for <see cref="MeanAndVariance"/> and <see cref="MeanAndVarianceWeighted"/>, 0 B.
/// </summary>
[MemoryDiagnoser]
public class StatisticsUpdateBenchmarks
{
    private const int Batch = 1024;

    private readonly long[] _samples = new long[Batch];
    private MeanAndVariance _meanAndVariance;
    private MeanAndVarianceWeighted _weighted;
    private MedianAndAbsoluteDeviation _median;
    private MedianAndAbsoluteDeviation _medianAllTime;

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        for (int i = 0; i < _samples.Length; i++)
        {
            _samples[i] = random.NextInt64(0, 1_000_000);
        }

        _weighted = new MeanAndVarianceWeighted(8);
        _median = new MedianAndAbsoluteDeviation(8);
        _medianAllTime = MedianAndAbsoluteDeviation.AllTime;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long MeanAndVarianceUpdate()
    {
        ref MeanAndVariance stats = ref _meanAndVariance;
        foreach (long x in _samples)
        {
            stats.Update(x);
        }

        return stats.Count;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long WeightedUpdate()
    {
        ref MeanAndVarianceWeighted stats = ref _weighted;
        foreach (long x in _samples)
        {
            stats.Update(x);
        }

        return stats.Count;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long MedianAndMadUpdate()
    {
        ref MedianAndAbsoluteDeviation stats = ref _median;
        foreach (long x in _samples)
        {
            stats.Update(x);
        }

        return stats.Median;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public long MedianAndMadAllTimeUpdate()
    {
        ref MedianAndAbsoluteDeviation stats = ref _medianAllTime;
        foreach (long x in _samples)
        {
            stats.Update(x);
        }

        return stats.Median;
    }
}
