using System.Runtime.CompilerServices;
using Primitives.Closures;

namespace Primitives.Tests.Closures;

/// <summary>
/// Base of every closure test class: they run one at a time (one collection), with the debug
/// registry on, and each test ends with the leak check: every closure it created has finished.
/// </summary>
[Collection(Name)]
public abstract class ClosureTestBase : IDisposable
{
    public const string Name = "Closures";

    /// <summary>Turns the registry on before any closure exists (the switch is read once).</summary>
    [ModuleInitializer]
#pragma warning disable CA2255 // a test assembly: this is the documented way to set the switch before first use
    internal static void EnableClosureDebugRegistry() => AppContext.SetSwitch(ClosureDebug.SwitchName, true);
#pragma warning restore CA2255

    protected static readonly TimeSpan Long = TimeSpan.FromSeconds(30);

    public virtual void Dispose()
    {
        // Continuations on other threads may still be returning their closures: give them a moment.
        var until = DateTime.UtcNow.AddSeconds(10);
        while (ClosureDebug.GetLiveClosures().Count != 0 && DateTime.UtcNow < until)
            Thread.Sleep(1);
        ClosureDebug.ThrowIfAnyAlive();
        GC.SuppressFinalize(this);
    }

    /// <summary>Runs <paramref name="body"/> on <paramref name="threads"/> dedicated threads started together.</summary>
    protected static void OnThreads(int threads, Action<int> body)
    {
        using var start = new Barrier(threads);
        var errors = new List<Exception>();
        var ts = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            try { start.SignalAndWait(); body(i); }
            catch (Exception e) { lock (errors) errors.Add(e); }
        })).ToArray();
        foreach (var t in ts) t.Start();
        foreach (var t in ts) Assert.True(t.Join(Long), "a thread hung");
        if (errors.Count > 0) throw new AggregateException(errors);
    }
}
