namespace Primitives.Locking;

// Asynchronous acquisition. Async waiters share the wait lists and the handoff with threads: the
// unlocker takes the lock on their behalf and completes their TaskCompletionSource, created with
// RunContinuationsAsynchronously so that no continuation runs inline under the wait-list lock.
// Ownership: an async intent holder is not a thread. Its owner token is a negative number drawn
// from the lock's intent epoch when intent is granted, and travels in the returned SixLockHandle;
// write and release check it against the handle instead of the thread.
public sealed partial class SixLock
{
    /// <summary>Takes <paramref name="type"/> asynchronously.</summary>
    /// <param name="type">
    /// Read or intent; write is accepted only when the calling thread holds intent synchronously
    /// (asynchronous intent holders use <see cref="WriteAsync"/> with their handle).
    /// </param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The hold. Completes synchronously (without allocating) when the lock is free.</returns>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">Write without intent held by the calling thread, or reader count overflow.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    /// <remarks>Same FIFO handoff and barging rules as <see cref="Lock(SixLockType)"/>; continuations run asynchronously.</remarks>
    public ValueTask<SixLockHandle> LockAsync(SixLockType type, CancellationToken cancellationToken = default) =>
        TryLockAsyncFast(type, out SixLockHandle handle, out long owner)
            ? new(handle)
            : LockAsyncSlow((int)type, owner, cancellationToken);

    /// <summary>
    /// The uncontended path of every asynchronous acquisition: takes <paramref name="type"/> if it
    /// is free now, or returns the owner the slow path must wait as.
    /// </summary>
    private bool TryLockAsyncFast(SixLockType type, out SixLockHandle handle, out long owner)
    {
        switch ((int)type)
        {
            case ReadType:
                owner = NoOwner;
                if (TryLockRead())
                {
                    handle = new SixLockHandle(this, SixLockType.Read, NoOwner);
                    return true;
                }

                break;
            case IntentType:
                owner = AsyncOwnerPending;
                if (TryLockIntent(AsyncOwnerPending, out long token))
                {
                    handle = new SixLockHandle(this, SixLockType.Intent, token);
                    return true;
                }

                break;
            case WriteType:
                owner = CurrentThreadOwner;
                if (TryLockWrite(owner))
                {
                    handle = new SixLockHandle(this, SixLockType.Write, owner);
                    return true;
                }

                break;
            default:
                throw BadType(type);
        }

        handle = default;
        return false;
    }

    /// <summary>Takes read asynchronously: <c>using var _ = await lk.ReadAsync();</c>.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The hold.</returns>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public ValueTask<SixLockHandle> ReadAsync(CancellationToken cancellationToken = default) => LockAsync(SixLockType.Read, cancellationToken);

    /// <summary>Takes intent asynchronously; the returned handle owns it (from any thread).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The hold, to pass to <see cref="WriteAsync"/> and to dispose once.</returns>
    /// <exception cref="OperationCanceledException">The wait was canceled.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public ValueTask<SixLockHandle> IntentAsync(CancellationToken cancellationToken = default) => LockAsync(SixLockType.Intent, cancellationToken);

    /// <summary>Takes write asynchronously on behalf of the holder of <paramref name="intent"/>.</summary>
    /// <param name="intent">The intent hold of this lock (from <see cref="IntentAsync"/> or <see cref="Intent"/>).</param>
    /// <param name="cancellationToken">Cancels the wait (for readers to drain).</param>
    /// <returns>The write hold; dispose it before the intent hold.</returns>
    /// <exception cref="SixLockException"><paramref name="intent"/> is not a current intent hold of this lock, or write is already held.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; write is not held, intent still is.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public ValueTask<SixLockHandle> WriteAsync(SixLockHandle intent, CancellationToken cancellationToken = default)
    {
        if (intent.Lock != this || intent.Type != SixLockType.Intent)
        {
            throw new SixLockException("WriteAsync requires an intent handle of this SixLock.");
        }

        return TryLockWrite(intent.Token)
            ? new(new SixLockHandle(this, SixLockType.Write, intent.Token))
            : LockAsyncSlow(WriteType, intent.Token, cancellationToken);
    }

    private async ValueTask<SixLockHandle> LockAsyncSlow(int type, long owner, CancellationToken cancellationToken)
    {
        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        // A contention from here on, as in LockSlow: every path below ends it exactly once.
        long begin = Diagnostics.SixLockEvents.IsActive ? Diagnostics.SixLockEvents.ContentionBegin(this, type) : 0;
        if (type == WriteType && SetWriteBitBeforeWaiting())
        {
            Diagnostics.SixLockEvents.ContentionEnd(this, type, begin, handedOver: false, acquired: true);
            return new SixLockHandle(this, SixLockType.Write, owner);
        }

        var w = new AsyncWaiter();
        w.Prepare(type, owner);
        lock (_waitLock)
        {
            if (TrySetWaitingAndLock(type, ref owner))
            {
                Diagnostics.SixLockEvents.ContentionEnd(this, type, begin, handedOver: false, acquired: true);
                return new SixLockHandle(this, (SixLockType)type, owner);
            }

            Enqueue(w);
        }

        // Cancellation only completes the task: whether the lock was handed over is decided by the
        // flag, under the wait-list lock in AbortWait, exactly as for threads.
        using (cancellationToken.UnsafeRegister(static s => ((AsyncWaiter)s!).Completion.TrySetResult(false), w))
        {
            await w.Completion.Task.ConfigureAwait(false);
        }

        // Acquire: pairs with the release in WakeWaiters.
        if (Volatile.Read(ref w.Acquired) != 0)
        {
            Diagnostics.SixLockEvents.ContentionEnd(this, type, begin, handedOver: true, acquired: true);
            return new SixLockHandle(this, (SixLockType)type, w.Owner);
        }

        Diagnostics.SixLockEvents.ContentionEnd(this, type, begin, handedOver: false, acquired: false);
        AbortWait(w);
        throw new OperationCanceledException(cancellationToken);
    }
}
