using BenchmarkDotNet.Attributes;
using Primitives.Closures;

namespace Primitives.Benchmarks.Closures;

/// <summary>
/// The cost of taking and dropping a reference, uncontended, against the bare interlocked
/// increment/decrement it is built on (goal: within a few nanoseconds of it).
/// </summary>
[MemoryDiagnoser]
public class ClosureRefCountBenchmarks
{
    private const int Ops = 1000;
    private Closure _closure = null!;
    private int _counter;

    [GlobalSetup]
    public void Setup() => _closure = new Closure();

    [GlobalCleanup]
    public void Cleanup() => _closure.Return();

    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void InterlockedIncrementDecrement()
    {
        for (int i = 0; i < Ops; i++)
        {
            Interlocked.Increment(ref _counter);
            Interlocked.Decrement(ref _counter);
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void ClosureGetPut()
    {
        var cl = _closure;
        for (int i = 0; i < Ops; i++)
        {
            cl.Get();
            cl.Put();
        }
    }

    [Benchmark(OperationsPerInvoke = Ops)]
    public void ClosureTryGetNotZeroPut()
    {
        var cl = _closure;
        for (int i = 0; i < Ops; i++)
        {
            cl.TryGetNotZero();
            cl.Put();
        }
    }
}
