using BenchmarkDotNet.Attributes;

using Primitives.Benchmarks.Counters;
using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Per-CPU reader mode against the normal mode on a read-only load: <see cref="Threads"/> threads
/// taking and releasing read as fast as they can, <see cref="TotalOps"/> operations in all per
/// invocation, so the Mean is wall time per read over all threads. One thread is the uncontended
/// cost (the gang runs the body directly, without a barrier). Normal mode counts readers in the
/// lock's one state word, so every read moves its cache line between cores; per-CPU mode counts
/// them in per-processor slots, which only a writer has to sum.
/// </summary>
[Config(typeof(LockSuiteConfig))]
public class PerCpuReaderBenchmarks
{
    public const int TotalOps = 1 << 16;

    private readonly SixLock _normal = new();
    private readonly SixLock _perCpu = new(SixLockOptions.PerCpuReaders);
    private readonly long[] _data = new long[8];
    private ThreadGang _gang = null!;
    private Action<int> _normalBody = null!;
    private Action<int> _perCpuBody = null!;
    private long _sink;

    [Params(1, 2, 4, 8, 16)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Threads);
        _normalBody = _ => Read(_normal);
        _perCpuBody = _ => Read(_perCpu);
    }

    [GlobalCleanup]
    public void Cleanup() => _gang.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOps)]
    public long Normal() => Run(_normalBody);

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public long PerCpuReaders() => Run(_perCpuBody);

    private long Run(Action<int> body)
    {
        _sink = 0;
        _gang.Run(body);
        return _sink;
    }

    private void Read(SixLock lk)
    {
        long local = 0;
        for (int i = TotalOps / Threads; i > 0; i--)
        {
            lk.Lock(SixLockType.Read);
            local += _data[0] + _data[7];
            lk.Unlock(SixLockType.Read);
        }

        Interlocked.Add(ref _sink, local);
    }
}
