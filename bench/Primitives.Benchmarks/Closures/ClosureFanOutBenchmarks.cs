using BenchmarkDotNet.Attributes;
using Primitives.Closures;

namespace Primitives.Benchmarks.Closures;

/// <summary>
/// A fan-out of 1,000 pieces of work and a join that continues when all have completed, with the
/// completions arriving on the same thread (the cost of the primitive, not of the thread pool).
/// Goal: at least 2x faster than Task.WhenAll over TaskCompletionSources, with fewer allocations.
/// </summary>
[MemoryDiagnoser]
public class ClosureFanOutBenchmarks
{
    [Params(1000)]
    public int Children { get; set; }

    private Closure[] _children = null!;
    private TaskCompletionSource[] _sources = null!;
    private int _continued;

    [GlobalSetup]
    public void Setup()
    {
        _children = new Closure[Children];
        _sources = new TaskCompletionSource[Children];
    }

    /// <summary>The kernel idiom: one reference per I/O on the parent, dropped by each completion.</summary>
    [Benchmark]
    public int ClosureReferences()
    {
        var parent = new Closure();
        for (int i = 0; i < Children; i++)
            parent.Get();
        parent.ContinueAt(static p => p.Return());
        for (int i = 0; i < Children; i++)
            parent.Put();
        return parent.Remaining;
    }

    /// <summary>The same with the batch's references taken in one operation (as CountdownEvent's initial count).</summary>
    [Benchmark]
    public int ClosureBatchReferences()
    {
        var parent = new Closure();
        parent.Get(Children);
        parent.ContinueAt(static p => p.Return());
        for (int i = 0; i < Children; i++)
            parent.Put();
        return parent.Remaining;
    }

    /// <summary>One child closure per I/O (each holds the parent), returned by its completion.</summary>
    [Benchmark]
    public int ClosureChildren()
    {
        var parent = new Closure();
        var children = _children;
        for (int i = 0; i < children.Length; i++)
            children[i] = new Closure(parent);
        _continued = 0;
        parent.ContinueAt(p => { _continued++; p.Return(); });
        for (int i = 0; i < children.Length; i++)
            children[i].Return();
        return _continued;
    }

    /// <summary>The .NET idiom: a TaskCompletionSource per I/O and Task.WhenAll.</summary>
    [Benchmark(Baseline = true)]
    public bool TaskWhenAll()
    {
        var sources = _sources;
        var tasks = new Task[sources.Length];
        for (int i = 0; i < sources.Length; i++)
        {
            sources[i] = new TaskCompletionSource();
            tasks[i] = sources[i].Task;
        }
        var all = Task.WhenAll(tasks);
        for (int i = 0; i < sources.Length; i++)
            sources[i].SetResult();
        return all.IsCompletedSuccessfully;
    }

    /// <summary>A CountdownEvent signalled by each completion.</summary>
    [Benchmark]
    public bool CountdownEvent()
    {
        using var countdown = new CountdownEvent(Children);
        for (int i = 0; i < Children; i++)
            countdown.Signal();
        return countdown.Wait(0);
    }
}
