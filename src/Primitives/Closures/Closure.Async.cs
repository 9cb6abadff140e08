namespace Primitives.Closures;

// Interop with async code: a Task's lifetime as a reference.
public partial class Closure
{
    /// <summary>
    /// Holds a reference for as long as <paramref name="task"/> runs, so async work counts as in
    /// flight: the closure's continuation, <c>Sync</c> and parent all wait for it.
    /// </summary>
    /// <param name="task">The work. Its outcome is not observed (a fault or cancellation also drops the reference); observe it yourself if it matters.</param>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="ClosureStateException">The closure has finished or holds the maximum number of references.</exception>
    /// <remarks>Thread safety: as <see cref="Get()"/>. Takes no reference (and allocates nothing) if the task has already completed.</remarks>
    public void Track(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        if (task.IsCompleted)
            return;
        Get();
        _ = PutWhenCompleted(task);
    }

    private async Task PutWhenCompleted(Task task)
    {
        // Not ConfigureAwaitOptions.SuppressThrowing: Coyote's rewriting does not handle that
        // awaiter (the async builder throws a NullReferenceException under test).
        try
        {
            await task.ConfigureAwait(false);
        }
#pragma warning disable CA1031 // the task's outcome is its owner's business; only its end matters here
        catch (Exception)
        {
        }
#pragma warning restore CA1031
        Put();
    }
}
