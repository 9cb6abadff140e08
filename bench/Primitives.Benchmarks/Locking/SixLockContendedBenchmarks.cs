using BenchmarkDotNet.Attributes;

using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Two threads taking one exclusive lock in turn as fast as they can (every release finds the
/// other thread waiting or spinning): the cost of a contended handoff. Goal: SixLock intent at
/// least as fast as Monitor and Lock. Reported per acquisition.
/// </summary>
public class SixLockPingPongBenchmarks
{
    private const int OpsPerThread = 20_000;

    private readonly SixLock _six = new();
    private readonly Lock _lock = new();
    private readonly object _monitor = new();
    private long _shared;

    [Benchmark(Baseline = true, OperationsPerInvoke = 2 * OpsPerThread)]
    public void Lock() => Run(() =>
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            _lock.Enter();
            _shared++;
            _lock.Exit();
        }
    });

    [Benchmark(OperationsPerInvoke = 2 * OpsPerThread)]
    public void Monitor() => Run(() =>
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            System.Threading.Monitor.Enter(_monitor);
            _shared++;
            System.Threading.Monitor.Exit(_monitor);
        }
    });

    [Benchmark(OperationsPerInvoke = 2 * OpsPerThread)]
    public void SixLockIntent() => Run(() =>
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            _six.Lock(SixLockType.Intent);
            _shared++;
            _six.Unlock(SixLockType.Intent);
        }
    });

    private static void Run(Action body)
    {
        var other = new Thread(() => body());
        other.Start();
        body();
        other.Join();
    }
}

/// <summary>
/// 90% reads and 10% writes on one lock from 2, 4 and 8 threads, each operation touching a small
/// shared array. Goal: SixLock (intent+write for writes) at least twice ReaderWriterLockSlim's
/// throughput. Reported per operation.
/// </summary>
public class SixLockReadMostlyBenchmarks
{
    private const int OpsPerThread = 20_000;

    private readonly SixLock _six = new();
    private readonly SixLock _sixPerCpu = new(SixLockOptions.PerCpuReaders);
    private readonly ReaderWriterLockSlim _rwls = new();
    private readonly long[] _data = new long[8];

    [Params(2, 4, 8)]
    public int Threads { get; set; }

    [Benchmark(Baseline = true)]
    public long Rwls() => Run(write =>
    {
        if (write)
        {
            _rwls.EnterWriteLock();
            _data[0]++;
            _rwls.ExitWriteLock();
            return 0;
        }

        _rwls.EnterReadLock();
        long v = _data[0] + _data[7];
        _rwls.ExitReadLock();
        return v;
    });

    [Benchmark]
    public long SixLock() => Run(write => Mixed(_six, write));

    [Benchmark]
    public long SixLockPerCpu() => Run(write => Mixed(_sixPerCpu, write));

    private long Mixed(SixLock lk, bool write)
    {
        if (write)
        {
            lk.Lock(SixLockType.Intent);
            lk.Lock(SixLockType.Write);
            _data[0]++;
            lk.Unlock(SixLockType.Write);
            lk.Unlock(SixLockType.Intent);
            return 0;
        }

        lk.Lock(SixLockType.Read);
        long v = _data[0] + _data[7];
        lk.Unlock(SixLockType.Read);
        return v;
    }

    private long Run(Func<bool, long> op)
    {
        long sink = 0;
        var threads = new Thread[Threads];
        for (int t = 0; t < threads.Length; t++)
        {
            threads[t] = new Thread(() =>
            {
                long local = 0;
                for (int i = 0; i < OpsPerThread; i++)
                {
                    local += op(i % 10 == 0);
                }

                Interlocked.Add(ref sink, local);
            });
            threads[t].Start();
        }

        foreach (var t in threads)
        {
            t.Join();
        }

        return sink;
    }
}
