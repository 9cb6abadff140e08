using BenchmarkDotNet.Attributes;

using Primitives.Counters;

namespace Primitives.Benchmarks.Counters;

/// <summary>
/// The read side of <see cref="PerCpuCounter"/>: the O(processors) exact <see cref="PerCpuCounter.Sum"/>,
/// the one-load <see cref="PerCpuCounter.ApproximateValue"/>, and <see cref="PerCpuCounter.Compare"/>
/// far from (approximate only) and near (falls back to Sum) the value.
/// </summary>
[MemoryDiagnoser]
public class PerCpuCounterReadBenchmarks
{
    private PerCpuCounter _counter = null!;

    [GlobalSetup]
    public void Setup()
    {
        _counter = new PerCpuCounter();
        _counter.Add(1_000_000);
        for (int i = 0; i < 100; i++)
        {
            _counter.Increment();
        }
    }

    [Benchmark(Baseline = true)]
    public long ApproximateValue() => _counter.ApproximateValue;

    [Benchmark]
    public long Sum() => _counter.Sum();

    [Benchmark]
    public int CompareFar() => _counter.Compare(0);

    [Benchmark]
    public int CompareNear() => _counter.Compare(1_000_100);
}
