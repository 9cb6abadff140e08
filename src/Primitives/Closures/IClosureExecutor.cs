namespace Primitives.Closures;

/// <summary>
/// Where a closure's continuation runs: the thread pool, a dedicated thread, inline, or your own
/// scheduler (an I/O completion loop, a per-core queue). See <see cref="ClosureExecutors"/> for the
/// built-in ones and <see cref="DedicatedThreadExecutor"/>.
/// </summary>
/// <remarks>
/// Implementations must be safe to call from any thread: <see cref="Enqueue"/> is called by
/// whichever thread dropped a closure's last reference.
/// </remarks>
public interface IClosureExecutor
{
    /// <summary>
    /// Arranges for <paramref name="work"/>'s <see cref="IThreadPoolWorkItem.Execute"/> to be called
    /// exactly once, on any thread, now or later. <paramref name="work"/> is the closure itself (so
    /// queuing allocates nothing); calling <c>Execute</c> a second time throws
    /// <see cref="ClosureStateException"/>.
    /// </summary>
    /// <param name="work">The closure whose continuation is due.</param>
    /// <remarks>
    /// Thread safety: must be safe from any thread. The executor's hand-off must publish
    /// <paramref name="work"/> to the running thread (any queue with a lock or an interlocked
    /// operation does).
    /// </remarks>
    void Enqueue(IThreadPoolWorkItem work);
}
