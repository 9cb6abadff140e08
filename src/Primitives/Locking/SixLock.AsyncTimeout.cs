namespace Primitives.Locking;

// Asynchronous acquisition with a timeout. A timeout is a cancellation the lock itself asks for:
// the wait is the one of LockAsync, canceled by a linked token source that fires after the
// timeout, so whether the lock was handed over when the timer and an unlocker race is decided
// exactly as for a caller's cancellation (under the wait-list lock; the Coyote cancellation tests
// cover that race). The token source is only created when the lock is not free at once.
public sealed partial class SixLock
{
    /// <summary>
    /// Takes <paramref name="type"/> asynchronously if it becomes free within <paramref name="timeout"/>.
    /// </summary>
    /// <param name="type">Read or intent; write as for <see cref="LockAsync"/> (calling thread holds intent).</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever, <see cref="TimeSpan.Zero"/> never waits.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>
    /// The hold, or, on timeout, <c>default</c> (its <see cref="SixLockHandle.IsAcquired"/> is
    /// <see langword="false"/> and disposing it does nothing). Completes synchronously, without
    /// allocating, when the lock is free.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite) or longer than <see cref="int.MaxValue"/> milliseconds, or <paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; the lock is not held.</exception>
    /// <exception cref="SixLockException">Same misuse as <see cref="LockAsync"/>.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public ValueTask<SixLockHandle> TryLockAsync(SixLockType type, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ValidateAsyncTimeout(timeout);
        if (TryLockAsyncFast(type, out SixLockHandle handle, out long owner))
        {
            return new(handle);
        }

        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (timeout == TimeSpan.Zero)
        {
            return default;
        }

        return timeout == Timeout.InfiniteTimeSpan
            ? LockAsyncSlow((int)type, owner, cancellationToken)
            : WaitWithTimeoutAsync((int)type, owner, timeout, cancellationToken);
    }

    /// <summary>
    /// Takes write asynchronously on behalf of the holder of <paramref name="intent"/> if the
    /// readers drain within <paramref name="timeout"/>.
    /// </summary>
    /// <param name="intent">The intent hold of this lock.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever, <see cref="TimeSpan.Zero"/> never waits.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The write hold, or <c>default</c> on timeout (intent is still held either way).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is out of range (see <see cref="TryLockAsync"/>).</exception>
    /// <exception cref="SixLockException"><paramref name="intent"/> is not a current intent hold of this lock, or write is already held.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled; write is not held, intent still is.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public ValueTask<SixLockHandle> TryWriteAsync(SixLockHandle intent, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ValidateAsyncTimeout(timeout);
        if (intent.Lock != this || intent.Type != SixLockType.Intent)
        {
            throw new SixLockException("TryWriteAsync requires an intent handle of this SixLock.");
        }

        if (TryLockWrite(intent.Token))
        {
            return new(new SixLockHandle(this, SixLockType.Write, intent.Token));
        }

        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();
        if (timeout == TimeSpan.Zero)
        {
            return default;
        }

        return timeout == Timeout.InfiniteTimeSpan
            ? LockAsyncSlow(WriteType, intent.Token, cancellationToken)
            : WaitWithTimeoutAsync(WriteType, intent.Token, timeout, cancellationToken);
    }

    private async ValueTask<SixLockHandle> WaitWithTimeoutAsync(int type, long owner, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            return await LockAsyncSlow(type, owner, timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return default; // the timer fired: a timeout, not the caller's cancellation
        }
    }

    private static void ValidateAsyncTimeout(TimeSpan timeout)
    {
        long milliseconds = (long)timeout.TotalMilliseconds;
        if (timeout != Timeout.InfiniteTimeSpan && (timeout < TimeSpan.Zero || milliseconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must be non-negative (or Timeout.InfiniteTimeSpan) and at most int.MaxValue milliseconds.");
        }
    }
}
