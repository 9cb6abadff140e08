using BenchmarkDotNet.Attributes;

using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Uncontended asynchronous acquire plus release. Goal: SixLock at most half of DotNext's and
/// Nito's AsyncReaderWriterLock, 0 B allocated.
/// </summary>
[MemoryDiagnoser]
public class SixLockAsyncBenchmarks
{
    private readonly SixLock _six = new();
    private readonly DotNext.Threading.AsyncReaderWriterLock _dotNext = new();
    private readonly Nito.AsyncEx.AsyncReaderWriterLock _nito = new();

    [Benchmark(Baseline = true)]
    public async Task DotNextRead()
    {
        await _dotNext.EnterReadLockAsync();
        _dotNext.Release();
    }

    [Benchmark]
    public async Task NitoRead()
    {
        using (await _nito.ReaderLockAsync())
        {
        }
    }

    [Benchmark]
    public async Task SixLockReadAsync()
    {
        using (await _six.ReadAsync())
        {
        }
    }

    [Benchmark]
    public async Task DotNextWrite()
    {
        await _dotNext.EnterWriteLockAsync();
        _dotNext.Release();
    }

    [Benchmark]
    public async Task NitoWrite()
    {
        using (await _nito.WriterLockAsync())
        {
        }
    }

    [Benchmark]
    public async Task SixLockIntentWriteAsync()
    {
        using var intent = await _six.IntentAsync();
        using (await _six.WriteAsync(intent))
        {
        }
    }
}
