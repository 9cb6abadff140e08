#if PRIMITIVES_MUTANTS
using Primitives.Internal;
#endif

namespace Primitives.Closures;

// Waiting for the count to reach zero while keeping the step: Sync, Sync(timeout), SyncAsync,
// ReturnSync, ReturnSyncAsync. A sync ends the step with SLEEPING instead of a continuation; the
// thread whose put reaches zero re-arms the closure and wakes the sleeper (WakeSleeper).
public partial class Closure
{
    /// <summary>
    /// Blocks until every reference except the running step's has been dropped, then returns with
    /// the step still owned by the caller (the closure is re-armed: <see cref="Remaining"/> is 1).
    /// Returns at once if nothing was taken since the last time the count reached zero, or if the
    /// closure has finished.
    /// </summary>
    /// <exception cref="ClosureStateException">The step is not running (the caller does not own it).</exception>
    /// <remarks>
    /// Thread safety: only the owner of the running step may call it. On return, every write that
    /// the droppers of the references made before their <see cref="Put"/> is visible to the caller.
    /// Parks on a <see cref="Monitor"/> and allocates nothing after a thread's first call.
    /// </remarks>
    public void Sync()
    {
        if (CanSkipSync())
            return;
        SyncSlow(Timeout.Infinite);
    }

    /// <summary>As <see cref="Sync()"/>, giving up after <paramref name="timeout"/>.</summary>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <returns>
    /// <see langword="true"/> if the count reached zero (the closure is re-armed);
    /// <see langword="false"/> on timeout, with the closure exactly as before the call (running,
    /// references still outstanding). If the last reference is dropped while the timeout expires,
    /// the completion wins and the result is <see langword="true"/>.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite) or too large.</exception>
    /// <exception cref="ClosureStateException">The step is not running (the caller does not own it).</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it.</remarks>
    public bool Sync(TimeSpan timeout)
    {
        long ms = (long)timeout.TotalMilliseconds;
        ArgumentOutOfRangeException.ThrowIfLessThan(ms, -1, nameof(timeout));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ms, int.MaxValue, nameof(timeout));
        if (CanSkipSync())
            return true;
        return SyncSlow((int)ms);
    }

    /// <summary>
    /// Completes when every reference except the running step's has been dropped; the step then
    /// belongs to the awaiting code again (the closure is re-armed). Lets async code await
    /// "everything in flight is done".
    /// </summary>
    /// <returns>A task that completes then; it completes asynchronously (never on the putter's thread).</returns>
    /// <exception cref="ClosureStateException">The step is not running (the caller does not own it).</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it, and must not touch the closure until the task completes.</remarks>
    public Task SyncAsync()
    {
        if (CanSkipSync())
            return Task.CompletedTask;
        ThrowIfNotRunning(nameof(SyncAsync));
        Diagnostics.ClosureEvents.OnWait();
        var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _resume = tcs;
        SubState(State.Running + 1 - State.Sleeping); // may reach zero and complete tcs right here
        return tcs.Task;
    }

    /// <summary>
    /// Waits like <see cref="Sync()"/>, then finishes the closure on the calling thread (as
    /// <see cref="Return"/>): the teardown of an object whose in-flight work holds references.
    /// </summary>
    /// <exception cref="ClosureStateException">The step is not running (the caller does not own it).</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it.</remarks>
    public void ReturnSync()
    {
        Sync();
        Return();
    }

    /// <summary>As <see cref="ReturnSync"/>, without blocking a thread.</summary>
    /// <returns>A task that completes once the closure has finished.</returns>
    /// <exception cref="ClosureStateException">The step is not running (the caller does not own it).</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it.</remarks>
    public async Task ReturnSyncAsync()
    {
        await SyncAsync().ConfigureAwait(false);
        Return();
    }

    /// <summary>
    /// The fast path: nothing to wait for when no reference was added since the count last reached
    /// zero (<see cref="_getHappened"/>; a count of 1 alone is not enough, bug 2), or when the
    /// closure has finished (its count is zero and must not be decremented, bug 5).
    /// </summary>
    private bool CanSkipSync()
    {
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(ClosureMutants.SyncSkipsAfterGetPutPair))
        {
            // Bug 2 (Oct 2023): decide from the count alone with a plain read. After a concurrent
            // get/put pair the count is back to 1, so Sync returns without the acquire that would
            // have made the other thread's writes (released by its put) visible.
            ClosureMutants.MemoryModel?.SkippedAcquire(this);
            return (_state & State.RemainingMask) == 1;
        }
        if (Mutations.IsActive(ClosureMutants.SyncFastPathDisabled))
            return false; // Bug 5: always take the slow path, even on a zeroed (finished) closure
#endif
        if (Volatile.Read(ref _getHappened))
            return false;
        // Nothing was taken: the count is 1 (our step) or 0 (finished). Acquire: pairs with the
        // re-arm or finish write (Rearm/Finish), so the last step's writes are visible.
        int s = Volatile.Read(ref _state);
#if PRIMITIVES_MUTANTS
        ClosureMutants.MemoryModel?.Acquired(this);
#endif
        return s == 0 || (s & State.Running) != 0 || ThrowNotRunning(s);
    }

    private bool ThrowNotRunning(int s) => throw ClosureStateException.Create(this, s, "Sync called on a closure whose step is not running (not the owner?)");

    private bool SyncSlow(int millisecondsTimeout)
    {
#if PRIMITIVES_MUTANTS
        if (!Mutations.IsActive(ClosureMutants.SyncFastPathDisabled)) // bug 5 goes straight to the subtraction
#endif
        ThrowIfNotRunning(nameof(Sync));
        Diagnostics.ClosureEvents.OnWait();
        var syncer = ClosureSyncer.Rent();
        _resume = syncer; // released to the waker by the sub below
        // Drop the step's reference and RUNNING and set SLEEPING in one operation. If this reaches
        // zero, WakeSleeper runs right here and signals before Wait.
        SubState(State.Running + 1 - State.Sleeping);
        bool completed = syncer.Wait(millisecondsTimeout) || UndoSyncOrWait(syncer);
        // Now no waker can touch the record (it signalled, or SLEEPING was taken back): reuse it.
        ClosureSyncer.Return(syncer);
        if (completed)
        {
            // Acquire: pairs with the release in Rearm on the waker's thread (and the monitor's),
            // which follows the full fence that acquired every putter's writes.
            int s = Volatile.Read(ref _state);
#if PRIMITIVES_MUTANTS
            ClosureMutants.MemoryModel?.Acquired(this);
#endif
            if ((s & State.Running) == 0)
                throw ClosureStateException.Create(this, s, "Sync woke before the count reached zero (the syncer was signalled by a stale waker)");
        }
        return completed;
    }

    /// <summary>
    /// The wait timed out: take the step back (SLEEPING off, RUNNING and its reference on) unless
    /// the count already reached zero, in which case the waker owns the closure and is about to
    /// signal: wait for it.
    /// </summary>
    /// <returns><see langword="false"/> if the sync was undone; <see langword="true"/> if completion won.</returns>
    private bool UndoSyncOrWait(ClosureSyncer syncer)
    {
        int s = Volatile.Read(ref _state);
        while ((s & State.Sleeping) != 0 && (s & State.RemainingMask) != 0)
        {
            int seen = Interlocked.CompareExchange(ref _state, s - State.Sleeping + State.Running + 1, s);
            if (seen == s)
            {
                _resume = null; // we own the step again; no waker will read it
                return false;
            }
            s = seen;
        }
        syncer.Wait(Timeout.Infinite); // the final put happened; its WakeSleeper will signal
        return true;
    }

    /// <summary>The count reached zero with SLEEPING: re-arm for the syncer, then wake it (last access).</summary>
    private void WakeSleeper(object? sleeper)
    {
        _resume = null;
        Rearm();
        switch (sleeper)
        {
            case ClosureSyncer syncer:
                syncer.Signal(); // must be our last touch of syncer (bug 1)
                break;
            case TaskCompletionSource tcs:
                tcs.SetResult(); // continuations run asynchronously
                break;
            default:
                throw ClosureStateException.Create(this, State.Sleeping, "SLEEPING without a sleeper");
        }
    }
}
