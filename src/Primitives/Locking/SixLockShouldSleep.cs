namespace Primitives.Locking;

/// <summary>
/// Called by <see cref="SixLock.Lock(SixLockType, SixLockShouldSleep, object)"/> right before each
/// time the waiting thread goes to sleep.
/// </summary>
/// <param name="lock">The lock being waited for.</param>
/// <param name="waiter">The calling waiter, already queued (its start time orders it among the waiters).</param>
/// <param name="state">The state object passed to <c>Lock</c>.</param>
/// <returns><see langword="true"/> to sleep; <see langword="false"/> to abort the attempt.</returns>
/// <remarks>
/// The waiter is queued before the lock's retry and before the first call, so a cycle detector
/// that runs inside the callback sees it with <see cref="SixLock.GetWaiters"/>. Aborting (returning
/// <see langword="false"/> or throwing) always leaves the lock not held by the caller, even if an
/// unlocker handed it over concurrently: it is then released again. The callback runs on the
/// waiting thread, outside every internal lock, and may take other locks.
/// </remarks>
public delegate bool SixLockShouldSleep(SixLock @lock, SixLockWaiterInfo waiter, object? state);
