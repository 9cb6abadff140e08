namespace Primitives.Closures;

/// <summary>The built-in <see cref="IClosureExecutor"/>s (see also <see cref="DedicatedThreadExecutor"/>).</summary>
/// <remarks>Thread safety: the instances are stateless and safe from any thread.</remarks>
public static class ClosureExecutors
{
    /// <summary>
    /// Runs the continuation at once on the thread that dropped the last reference (the same as
    /// passing <see langword="null"/>). Cheapest; a long chain of inline steps recurses on that
    /// thread's stack, and a step that throws throws into that thread's <see cref="Closure.Put"/>.
    /// </summary>
    public static IClosureExecutor Inline { get; } = new InlineExecutor();

    /// <summary>
    /// Queues the continuation to the .NET thread pool with
    /// <see cref="ThreadPool.UnsafeQueueUserWorkItem(IThreadPoolWorkItem, bool)"/> (no allocation, no
    /// execution-context flow). The default for I/O completions. Not visible to Coyote: tests use
    /// <see cref="TaskRun"/>. An exception thrown by a continuation is unhandled and ends the process.
    /// </summary>
    public static IClosureExecutor ThreadPool { get; } = new ThreadPoolExecutor();

    /// <summary>
    /// Runs the continuation with <see cref="Task.Run(Action)"/>: slower than <see cref="ThreadPool"/>
    /// (one task per continuation) but controlled by Coyote's systematic testing, so tests use it.
    /// An exception thrown by a continuation faults that task and is not observed.
    /// </summary>
    public static IClosureExecutor TaskRun { get; } = new TaskRunExecutor();

    private sealed class InlineExecutor : IClosureExecutor
    {
        public void Enqueue(IThreadPoolWorkItem work) => work.Execute();
        public override string ToString() => "Inline";
    }

    private sealed class ThreadPoolExecutor : IClosureExecutor
    {
        public void Enqueue(IThreadPoolWorkItem work) =>
            System.Threading.ThreadPool.UnsafeQueueUserWorkItem(work, preferLocal: false);
        public override string ToString() => "ThreadPool";
    }

    private sealed class TaskRunExecutor : IClosureExecutor
    {
        public void Enqueue(IThreadPoolWorkItem work) => _ = Task.Run(work.Execute);
        public override string ToString() => "TaskRun";
    }
}
