using System.Diagnostics;
using System.Globalization;

using BenchmarkDotNet.Attributes;

using Primitives.Benchmarks.Counters;
using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Sustained write contention: <see cref="Threads"/> threads (or async tasks for the asynchronous
/// peers) each take one exclusive lock <see cref="TotalOps"/> / Threads times in a tight loop, and
/// every acquisition's wait (from just before the acquire call to holding the lock) is recorded.
/// A fair lock keeps the worst wait near (threads - 1) critical sections; a lock that lets a
/// running thread barge in makes throughput high and the worst waits long. SixLock takes intent
/// then write; ReaderWriterLockSlim its write lock.
/// </summary>
/// <remarks>
/// Mean is wall time per acquisition over all threads. The wait distribution goes to
/// <c>fairness-wait.md</c>/<c>.csv</c> from [GlobalCleanup]: p50/p90/p99/p99.9 (TimeStats' histogram),
/// mean and max (TimeStats, all acquisitions after the first invocation), and progress_min_pct:
/// when the first thread finishes its share, how far the slowest thread has got, averaged over
/// invocations (100 = lockstep; near 0 = one thread ran alone).
/// </remarks>
[Config(typeof(LockSuiteConfig))]
public class FairnessBenchmarks
{
    public const int TotalOps = 1 << 14;

    // One progress counter per cache line (16 longs = 128 bytes apart), so the counters do not
    // make their own contention.
    private const int ProgressStride = 16;

    private static readonly ResultTable s_table = new(
        "fairness-wait",
        "# Fairness under sustained write contention: wait per acquisition, nanoseconds\n\ncount, mean, max: TimeStats over every acquisition after the first invocation; p50/p90/p99/p999: TimeStats' histogram over the same (within 1/32); estimator_p50: TimeStats' streaming 8/16 quantile estimate. progress_min_pct: progress of the slowest thread when the first one finished its share (100 = lockstep).",
        2,
        ["peer", "threads", .. LatencySummary.Columns, "progress_min_pct"]);

    private readonly SixLock _six = new();
    private readonly Lock _lock = new();
    private readonly object _monitor = new();
    private readonly SemaphoreSlim _semaphore = new(1, 1);
    private readonly ReaderWriterLockSlim _rwls = new();
    private readonly DotNext.Threading.AsyncExclusiveLock _dotNext = new();
    private readonly Nito.AsyncEx.AsyncLock _nito = new();
    private ThreadGang _gang = null!;
    private LatencyRecorder _waits = null!;
    private long[] _progress = null!;
    private string? _peer;
    private int _finished;
    private double _progressMinSum;
    private int _progressSamples;
    private long _shared;

    [Params(4, 16)]
    public int Threads { get; set; }

    private int OpsPerThread => TotalOps / Threads;

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Threads);
        _waits = new LatencyRecorder("wait");
        _progress = new long[Threads * ProgressStride];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        if (_peer is null)
        {
            return;
        }

        var summary = _waits.Summarize();
        string progress = _progressSamples == 0
            ? "-"
            : (_progressMinSum / _progressSamples).ToString("0.#", CultureInfo.InvariantCulture);
        s_table.Upsert([_peer, Threads.ToString(CultureInfo.InvariantCulture), .. summary.ToCells(), progress]);
    }

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public void SixLock() => RunThreads("SixLock intent+write", index => Loop(index, () => _six.Lock(SixLockType.Intent), () =>
    {
        _six.Lock(SixLockType.Write);
        _shared++;
        _six.Unlock(SixLockType.Write);
        _six.Unlock(SixLockType.Intent);
    }));

    [Benchmark(Baseline = true, OperationsPerInvoke = TotalOps)]
    public void Lock() => RunThreads("Lock", index => Loop(index, _lock.Enter, () =>
    {
        _shared++;
        _lock.Exit();
    }));

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public void Monitor() => RunThreads("Monitor", index => Loop(index, () => System.Threading.Monitor.Enter(_monitor), () =>
    {
        _shared++;
        System.Threading.Monitor.Exit(_monitor);
    }));

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public void SemaphoreSlim() => RunThreads("SemaphoreSlim", index => Loop(index, () => _semaphore.Wait(), () =>
    {
        _shared++;
        _semaphore.Release();
    }));

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public void RwlsWrite() => RunThreads("ReaderWriterLockSlim write", index => Loop(index, _rwls.EnterWriteLock, () =>
    {
        _shared++;
        _rwls.ExitWriteLock();
    }));

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public Task DotNextExclusiveAsync() => RunTasks("DotNext AsyncExclusiveLock", async index =>
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await _dotNext.AcquireAsync();
            Acquired(index, start);
            _dotNext.Release();
        }

        Finished();
    });

    [Benchmark(OperationsPerInvoke = TotalOps)]
    public Task NitoLockAsync() => RunTasks("Nito AsyncLock", async index =>
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            long start = Stopwatch.GetTimestamp();
            using (await _nito.LockAsync())
            {
                Acquired(index, start);
            }
        }

        Finished();
    });

    private void Begin(string peer)
    {
        _peer = peer;
        if (_waits.BeginInvocation())
        {
            _progressMinSum = 0;
            _progressSamples = 0;
        }

        Array.Clear(_progress);
        _finished = 0;
    }

    private void RunThreads(string peer, Action<int> body)
    {
        Begin(peer);
        _gang.Run(body);
    }

    private Task RunTasks(string peer, Func<int, Task> body)
    {
        Begin(peer);
        var tasks = new Task[Threads];
        for (int t = 0; t < tasks.Length; t++)
        {
            int index = t;
            tasks[t] = Task.Run(() => body(index));
        }

        return Task.WhenAll(tasks);
    }

    // acquire, then record the wait, count progress and run release (which holds the critical section).
    private void Loop(int index, Action acquire, Action release)
    {
        for (int i = 0; i < OpsPerThread; i++)
        {
            long start = Stopwatch.GetTimestamp();
            acquire();
            Acquired(index, start);
            release();
        }

        Finished();
    }

    // Runs under the lock: the recording is part of every peer's critical section alike.
    private void Acquired(int index, long start)
    {
        _waits.Record(start, Stopwatch.GetTimestamp());
        Volatile.Write(ref _progress[index * ProgressStride], _progress[index * ProgressStride] + 1);
    }

    // The first participant to finish its share snapshots how far the slowest one has got.
    private void Finished()
    {
        if (Interlocked.Exchange(ref _finished, 1) != 0)
        {
            return;
        }

        long min = long.MaxValue;
        for (int t = 0; t < Threads; t++)
        {
            min = Math.Min(min, Volatile.Read(ref _progress[t * ProgressStride]));
        }

        _progressMinSum += 100.0 * min / OpsPerThread;
        _progressSamples++;
    }
}
