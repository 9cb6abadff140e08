using BenchmarkDotNet.Attributes;

using Primitives.Benchmarks.Counters;
using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Read-mostly mixes on one lock: <see cref="ReadPercent"/>% reads (sum two elements of a small
/// shared array) and the rest writes (increment one), from <see cref="Threads"/> threads at once
/// with no work between operations, so the lock is the bottleneck. SixLock takes intent then
/// write for a write (its only way to write); ReaderWriterLockSlim read / write; Lock is taken
/// exclusively for everything (what a user without a reader-writer lock would do). A thread picks
/// read or write with its own xorshift generator, so writes do not line up across threads.
/// </summary>
/// <remarks>
/// Every invocation does <see cref="TotalOps"/> operations split evenly over the threads, so the
/// Mean is wall time per operation over all threads (the inverse of aggregate throughput; the
/// Op/s column is that throughput). Thread counts above the core count measure oversubscription.
/// Threads come from a <see cref="ThreadGang"/> built once per case. The asynchronous peers are in
/// <see cref="AsyncReadMostlyMixBenchmarks"/>.
/// </remarks>
[Config(typeof(LockSuiteConfig))]
public class ReadMostlyMixBenchmarks
{
    public const int TotalOps = 1 << 16;

    private readonly SixLock _six = new();
    private readonly SixLock _sixPerCpu = new(SixLockOptions.PerCpuReaders);
    private readonly ReaderWriterLockSlim _rwls = new();
    private readonly Lock _lock = new();
    private readonly long[] _data = new long[8];
    private ThreadGang _gang = null!;
    private Action<int> _sixBody = null!;
    private Action<int> _sixPerCpuBody = null!;
    private Action<int> _rwlsBody = null!;
    private Action<int> _lockBody = null!;
    private uint _writeThreshold;
    private long _sink;

    [Params(99, 90, 50)]
    public int ReadPercent { get; set; }

    [Params(1, 2, 4, 8, 16)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Threads);
        _writeThreshold = MixRandom.WriteThreshold(ReadPercent);
        _sixBody = i => Six(_six, i);
        _sixPerCpuBody = i => Six(_sixPerCpu, i);
        _rwlsBody = Rwls;
        _lockBody = Exclusive;
    }

    [GlobalCleanup]
    public void Cleanup() => _gang.Dispose();

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public long SixLock() => Run(_sixBody);

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public long SixLockPerCpu() => Run(_sixPerCpuBody);

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOps)]
    public long Rwls() => Run(_rwlsBody);

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public long LockExclusive() => Run(_lockBody);

    private long Run(Action<int> body)
    {
        _sink = 0;
        _gang.Run(body);
        return _sink;
    }

    private void Six(SixLock lk, int index)
    {
        var random = new MixRandom(index);
        long local = 0;
        for (int i = TotalOps / Threads; i > 0; i--)
        {
            if (random.NextIsWrite(_writeThreshold))
            {
                lk.Lock(SixLockType.Intent);
                lk.Lock(SixLockType.Write);
                _data[0]++;
                lk.Unlock(SixLockType.Write);
                lk.Unlock(SixLockType.Intent);
            }
            else
            {
                lk.Lock(SixLockType.Read);
                local += _data[0] + _data[7];
                lk.Unlock(SixLockType.Read);
            }
        }

        Interlocked.Add(ref _sink, local);
    }

    private void Rwls(int index)
    {
        var random = new MixRandom(index);
        long local = 0;
        for (int i = TotalOps / Threads; i > 0; i--)
        {
            if (random.NextIsWrite(_writeThreshold))
            {
                _rwls.EnterWriteLock();
                _data[0]++;
                _rwls.ExitWriteLock();
            }
            else
            {
                _rwls.EnterReadLock();
                local += _data[0] + _data[7];
                _rwls.ExitReadLock();
            }
        }

        Interlocked.Add(ref _sink, local);
    }

    private void Exclusive(int index)
    {
        var random = new MixRandom(index);
        long local = 0;
        for (int i = TotalOps / Threads; i > 0; i--)
        {
            bool write = random.NextIsWrite(_writeThreshold);
            _lock.Enter();
            if (write)
            {
                _data[0]++;
            }
            else
            {
                local += _data[0] + _data[7];
            }

            _lock.Exit();
        }

        Interlocked.Add(ref _sink, local);
    }
}
