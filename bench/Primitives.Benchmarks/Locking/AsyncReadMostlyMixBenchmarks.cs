using BenchmarkDotNet.Attributes;

using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// The read-mostly mixes of <see cref="ReadMostlyMixBenchmarks"/> on asynchronous reader-writer
/// locks: <see cref="Tasks"/> concurrent async loops (started with <see cref="Task.Run(Func{Task})"/>)
/// sharing <see cref="ReadMostlyMixBenchmarks.TotalOps"/> operations. SixLock async takes
/// <c>IntentAsync</c> then <c>WriteAsync</c> for a write; DotNext and Nito take their write lock.
/// Mean is wall time per operation over all tasks. Fewer concurrency levels than the synchronous
/// suite (1, 4, 16) to keep the suite short.
/// </summary>
[Config(typeof(LockSuiteConfig))]
public class AsyncReadMostlyMixBenchmarks
{
    private const int TotalOps = ReadMostlyMixBenchmarks.TotalOps;

    private readonly SixLock _six = new();
    private readonly DotNext.Threading.AsyncReaderWriterLock _dotNext = new();
    private readonly Nito.AsyncEx.AsyncReaderWriterLock _nito = new();
    private readonly long[] _data = new long[8];
    private uint _writeThreshold;
    private long _sink;

    [Params(99, 90, 50)]
    public int ReadPercent { get; set; }

    [Params(1, 4, 16)]
    public int Tasks { get; set; }

    [GlobalSetup]
    public void Setup() => _writeThreshold = MixRandom.WriteThreshold(ReadPercent);

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public Task SixLockAsync() => Run(SixLoop);

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOps)]
    public Task DotNextAsync() => Run(DotNextLoop);

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public Task NitoAsync() => Run(NitoLoop);

    private Task Run(Func<int, Task> loop)
    {
        var tasks = new Task[Tasks];
        for (int t = 0; t < tasks.Length; t++)
        {
            int index = t;
            tasks[t] = Task.Run(() => loop(index));
        }

        return Task.WhenAll(tasks);
    }

    private async Task SixLoop(int index)
    {
        var random = new MixRandom(index);
        long local = 0;
        for (int i = TotalOps / Tasks; i > 0; i--)
        {
            if (random.NextIsWrite(_writeThreshold))
            {
                using var intent = await _six.IntentAsync();
                using var write = await _six.WriteAsync(intent);
                _data[0]++;
            }
            else
            {
                using var read = await _six.ReadAsync();
                local += _data[0] + _data[7];
            }
        }

        Interlocked.Add(ref _sink, local);
    }

    private async Task DotNextLoop(int index)
    {
        var random = new MixRandom(index);
        long local = 0;
        for (int i = TotalOps / Tasks; i > 0; i--)
        {
            if (random.NextIsWrite(_writeThreshold))
            {
                await _dotNext.EnterWriteLockAsync();
                _data[0]++;
                _dotNext.Release();
            }
            else
            {
                await _dotNext.EnterReadLockAsync();
                local += _data[0] + _data[7];
                _dotNext.Release();
            }
        }

        Interlocked.Add(ref _sink, local);
    }

    private async Task NitoLoop(int index)
    {
        var random = new MixRandom(index);
        long local = 0;
        for (int i = TotalOps / Tasks; i > 0; i--)
        {
            if (random.NextIsWrite(_writeThreshold))
            {
                using (await _nito.WriterLockAsync())
                {
                    _data[0]++;
                }
            }
            else
            {
                using (await _nito.ReaderLockAsync())
                {
                    local += _data[0] + _data[7];
                }
            }
        }

        Interlocked.Add(ref _sink, local);
    }
}
