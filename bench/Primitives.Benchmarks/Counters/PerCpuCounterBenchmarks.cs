using BenchmarkDotNet.Attributes;

using Primitives.Counters;
using Primitives.Internal;

namespace Primitives.Benchmarks.Counters;

/// <summary>
/// Increment throughput: <see cref="PerCpuCounter"/> against <see cref="Interlocked.Increment(ref long)"/>
/// on one shared (padded) field, and against a lazily grown LongAdder-style counter, with 1 and 2
/// threads each doing <see cref="OpsPerThread"/> increments released together by a barrier.
/// OperationsPerInvoke is the per-thread count, so Mean is wall time divided by the operations of
/// one thread: total throughput is <c>Threads / Mean</c>, and within one thread count the Ratio
/// column is the inverse ratio of throughputs (0.25 = four times Interlocked's throughput).
/// Goals: at 2 threads PerCpuCounter at least 3x Interlocked's throughput; at 1 thread no slower than 2x.
/// </summary>
[MemoryDiagnoser]
public class PerCpuCounterBenchmarks
{
    private const int OpsPerThread = 1 << 20;

    private ThreadGang _gang = null!;
    private PerCpuCounter _counter = null!;
    private LazyStripedCounter _lazy = null!;
    private PaddedInt64 _shared;
    private Action<int> _interlockedBody = null!;
    private Action<int> _perCpuBody = null!;
    private Action<int> _lazyBody = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Threads);
        _counter = new PerCpuCounter();
        _lazy = new LazyStripedCounter();
        _interlockedBody = _ =>
        {
            for (int i = 0; i < OpsPerThread; i++)
            {
                Interlocked.Increment(ref _shared.Value);
            }
        };
        _perCpuBody = _ =>
        {
            PerCpuCounter counter = _counter;
            for (int i = 0; i < OpsPerThread; i++)
            {
                counter.Increment();
            }
        };
        _lazyBody = _ =>
        {
            LazyStripedCounter counter = _lazy;
            for (int i = 0; i < OpsPerThread; i++)
            {
                counter.Increment();
            }
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        if (_counter.Sum() % OpsPerThread != 0 || _lazy.Sum() % OpsPerThread != 0)
        {
            throw new InvalidOperationException("a counter lost increments");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerThread)]
    public void InterlockedIncrement() => _gang.Run(_interlockedBody);

    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    public void PerCpuCounterIncrement() => _gang.Run(_perCpuBody);

    [Benchmark(OperationsPerInvoke = OpsPerThread)]
    public void LazyStripedIncrement() => _gang.Run(_lazyBody);
}
