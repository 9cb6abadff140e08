using System.Runtime.CompilerServices;
#if PRIMITIVES_MUTANTS
using Primitives.Internal;
#endif

namespace Primitives.Closures;

// What happens when the count reaches zero: re-arm and queue the continuation, wake a Sync, or
// finish (destructor, debug unregistration, the parent's reference).
public partial class Closure : IThreadPoolWorkItem
{
    /// <summary>
    /// The count reached zero with flags <paramref name="s"/>. We hold the only claim on the closure
    /// now: nobody holds a reference, <see cref="TryGetNotZero"/> fails, and the word's full fence of
    /// the sub that got here acquired every earlier putter's writes, including the owner's
    /// <see cref="_continuation"/> and <see cref="_resume"/> (bug 3: these
    /// reads must come after observing zero, never be hoisted before it).
    /// </summary>
    private void OnZero(int s)
    {
        switch (s)
        {
            case 0 when _continuation is { } continuation:
                var executor = Executor;
                _resume = null;
                if (executor is null)
                    _continuation = null;
                Rearm();
                Queue(continuation, executor);
                return;
            case 0:
            case State.Destructor:
                Finish(s == State.Destructor ? _continuation : null);
                return;
            case State.Sleeping:
                WakeSleeper(Sleeper); // read after observing zero (bug 3)
                return;
            default:
                // RUNNING or WAITING at zero: their reference was dropped with a plain Put.
                throw ClosureStateException.Create(this, s, new State(s).IsRunning
                    ? "the count reached zero while the step was still running: a reference was put instead of ending the step with ContinueAt/Return"
                    : "the count reached zero while the closure was on a wait list: the wait-list reference was put by someone else");
        }
    }

    /// <summary>Makes the closure running again with one reference, for the next step or a returning Sync.</summary>
    private void Rearm()
    {
        _getHappened = false;
        // Release: the cleared flag and continuation fields are visible before anyone can take a
        // reference again (TryGetNotZero's swap is the partner).
        Volatile.Write(ref _state, State.Initial);
    }

    /// <summary>Hands the running step to <paramref name="continuation"/> on <paramref name="executor"/>.</summary>
    /// <remarks>For an executor, <paramref name="continuation"/> must already be in <see cref="_continuation"/>.</remarks>
    private void Queue(Action<Closure> continuation, IClosureExecutor? executor)
    {
        if (executor is null)
        {
            continuation(this);
            return;
        }
        executor.Enqueue(this); // the executor's queue publishes _continuation to the thread that runs it
    }

    /// <summary>Runs the continuation an executor was handed. Throws if there is none (run twice).</summary>
    void IThreadPoolWorkItem.Execute()
    {
        // A queued closure is re-armed (RUNNING, owned by the queued continuation); a closure whose
        // step ended is still counting down, and running its continuation now would be early.
        int s = Volatile.Read(ref _state);
        if ((s & State.Running) == 0)
            throw ClosureStateException.Create(this, s, "an executor ran a closure that was not queued (its count has not reached zero)");
        // Exchange (a full fence) detects a second run and acquires the queuing thread's writes.
        var continuation = Interlocked.Exchange(ref _continuation, null)
            ?? throw ClosureStateException.Create(this, s, "an executor ran a closure that had no queued continuation (run twice?)");
        continuation(this);
    }

    private void Finish(Action<Closure>? destructor)
    {
        _getHappened = false;
        _continuation = null;
        if (destructor is not null)
            Volatile.Write(ref _state, 0); // clears DESTRUCTOR: a finished closure reads as zero
        if (_debug is not null)
            ClosureDebug.Unregister(_debug);
        if (_counted)
            Diagnostics.ClosureEvents.OnCompleted();
        destructor?.Invoke(this);
        _parent?.Put();
    }
}
