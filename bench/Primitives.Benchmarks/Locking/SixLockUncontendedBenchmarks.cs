using BenchmarkDotNet.Attributes;

using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// One thread, no contention: the cost of an acquire plus release. Goals: SixLock read at most
/// Lock Enter+Exit and at most half of ReaderWriterLockSlim's read; intent+write+unlock at most
/// twice Lock Enter+Exit; 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class SixLockUncontendedBenchmarks
{
    private readonly SixLock _six = new();
    private readonly SixLock _sixPerCpu = new(SixLockOptions.PerCpuReaders);
    private readonly Lock _lock = new();
    private readonly object _monitor = new();
    private readonly ReaderWriterLockSlim _rwls = new();
    private readonly SemaphoreSlim _semaphore = new(1, 1);

    [Benchmark(Baseline = true)]
    public void LockEnterExit()
    {
        _lock.Enter();
        _lock.Exit();
    }

    [Benchmark]
    public void MonitorEnterExit()
    {
        Monitor.Enter(_monitor);
        Monitor.Exit(_monitor);
    }

    [Benchmark]
    public void RwlsRead()
    {
        _rwls.EnterReadLock();
        _rwls.ExitReadLock();
    }

    [Benchmark]
    public void SemaphoreSlimWaitRelease()
    {
        _semaphore.Wait();
        _semaphore.Release();
    }

    [Benchmark]
    public void SixLockRead()
    {
        _six.Lock(SixLockType.Read);
        _six.Unlock(SixLockType.Read);
    }

    [Benchmark]
    public void SixLockReadScope()
    {
        using var _ = _six.Read();
    }

    [Benchmark]
    public void SixLockReadPerCpu()
    {
        _sixPerCpu.Lock(SixLockType.Read);
        _sixPerCpu.Unlock(SixLockType.Read);
    }

    [Benchmark]
    public void SixLockIntent()
    {
        _six.Lock(SixLockType.Intent);
        _six.Unlock(SixLockType.Intent);
    }

    [Benchmark]
    public void SixLockIntentWrite()
    {
        _six.Lock(SixLockType.Intent);
        _six.Lock(SixLockType.Write);
        _six.Unlock(SixLockType.Write);
        _six.Unlock(SixLockType.Intent);
    }

    [Benchmark]
    public void RwlsWrite()
    {
        _rwls.EnterWriteLock();
        _rwls.ExitWriteLock();
    }
}
