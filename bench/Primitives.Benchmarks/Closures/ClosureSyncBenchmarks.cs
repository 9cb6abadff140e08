using BenchmarkDotNet.Attributes;
using Primitives.Closures;

namespace Primitives.Benchmarks.Closures;

/// <summary>
/// Sync latency: the fast path (nothing taken), the slow path that completes without blocking
/// (a get/put pair before it), and a real block-and-wake where the put comes from the thread
/// pool, against CountdownEvent and an awaited TaskCompletionSource doing the same hand-off.
/// </summary>
[MemoryDiagnoser]
public class ClosureSyncBenchmarks
{
    private Closure _closure = null!;

    [GlobalSetup]
    public void Setup() => _closure = new Closure();

    [GlobalCleanup]
    public void Cleanup() => _closure.Return();

    [Benchmark]
    public void SyncNothingInFlight() => _closure.Sync();

    [Benchmark]
    public void SyncAfterGetPut()
    {
        _closure.Get();
        _closure.Put();
        _closure.Sync();
    }

    [Benchmark(Baseline = true)]
    public void CountdownEventPutFromThreadPool()
    {
        using var countdown = new CountdownEvent(1);
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.Signal(), countdown, preferLocal: false);
        countdown.Wait();
    }

    [Benchmark]
    public void SyncPutFromThreadPool()
    {
        _closure.Get();
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.Put(), _closure, preferLocal: false);
        _closure.Sync();
    }

    [Benchmark]
    public async Task SyncAsyncPutFromThreadPool()
    {
        _closure.Get();
        ThreadPool.UnsafeQueueUserWorkItem(static c => c.Put(), _closure, preferLocal: false);
        await _closure.SyncAsync();
    }

    [Benchmark]
    public async Task TaskCompletionSourceFromThreadPool()
    {
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ThreadPool.UnsafeQueueUserWorkItem(static t => t.SetResult(), tcs, preferLocal: false);
        await tcs.Task;
    }
}
