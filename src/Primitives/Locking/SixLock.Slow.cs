using System.Diagnostics;

using Primitives.Diagnostics;
using Primitives.Internal;

namespace Primitives.Locking;

public sealed partial class SixLock
{
    /// <summary>
    /// Hard cap on spin iterations, on top of the time bound, so a spin stays bounded even where
    /// time does not advance (Coyote's controlled runs set it lower, or to 0 to disable spinning).
    /// </summary>
    internal static int s_maxSpinIterations = 256;

    /// <summary>Rounds of the spin before queueing: about ten of busy-waiting with back-off, then yields (<see cref="SpinWait"/>'s schedule).</summary>
    private const int PreQueueSpinIterations = 20;

    /// <summary><see cref="Thread.SpinWait"/> units per spin iteration (about 35 ns each on the runtime's normalized scale).</summary>
    private const int SpinWaitPerIteration = 4;

    /// <summary>The spin time bound in <see cref="Stopwatch"/> ticks.</summary>
    private static readonly long s_spinLimitTicks = Math.Max(1, Stopwatch.Frequency * SpinLimitMicroseconds / 1_000_000);

    /// <summary>How a wait ended.</summary>
    private enum WaitOutcome
    {
        Acquired,
        Aborted,
        TimedOut,
        Canceled,
    }

    /// <summary>
    /// One blocking acquisition: what to take (<c>Type</c>), for whom (<c>Owner</c>), the hook and its
    /// state, and when to give up (<c>Deadline</c>: a <see cref="Stopwatch"/> timestamp or
    /// <see cref="long.MaxValue"/>; <c>Token</c>).
    /// </summary>
    private readonly record struct WaitRequest(int Type, long Owner, SixLockShouldSleep? ShouldSleep, object? State, long Deadline, CancellationToken Token);

    /// <summary>
    /// Takes <paramref name="type"/>, calling <paramref name="shouldSleep"/> right before each time the
    /// thread would sleep; the attempt is aborted when it returns <see langword="false"/> or throws.
    /// </summary>
    /// <param name="type">The type to take.</param>
    /// <param name="shouldSleep">The hook; see <see cref="SixLockShouldSleep"/> for its contract.</param>
    /// <param name="state">Passed to <paramref name="shouldSleep"/>.</param>
    /// <returns><see langword="true"/> if the lock was taken, <see langword="false"/> if the hook aborted (the lock is then not held).</returns>
    /// <exception cref="ArgumentNullException"><paramref name="shouldSleep"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">Same misuse as <see cref="Lock(SixLockType)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    /// <remarks>
    /// Any exception thrown by <paramref name="shouldSleep"/> aborts the attempt (releasing a lock handed
    /// over concurrently) and propagates. This is the hook cancellation and timeouts are built on, and
    /// the one a lock-cycle detector plugs into (see <see cref="GetWaiters"/>).
    /// </remarks>
    public bool Lock(SixLockType type, SixLockShouldSleep shouldSleep, object? state = null)
    {
        ArgumentNullException.ThrowIfNull(shouldSleep);
        BeforeBlockingAcquire();
        long owner = CurrentThreadOwner;
        return AfterAcquire(type, TryLockFast((int)type, owner)
            || LockSlow(new WaitRequest((int)type, owner, shouldSleep, state, long.MaxValue, default)) == WaitOutcome.Acquired);
    }

    /// <summary>Takes <paramref name="type"/>, waiting until it is free or <paramref name="cancellationToken"/> is canceled.</summary>
    /// <param name="type">The type to take.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">Same misuse as <see cref="Lock(SixLockType)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    /// <remarks>If the lock is free, it is taken even if the token is already canceled.</remarks>
    public void Lock(SixLockType type, CancellationToken cancellationToken)
    {
        BeforeBlockingAcquire();
        long owner = CurrentThreadOwner;
        if (!TryLockFast((int)type, owner)
            && LockSlow(new WaitRequest((int)type, owner, null, null, long.MaxValue, cancellationToken)) != WaitOutcome.Acquired)
        {
            throw new OperationCanceledException(cancellationToken);
        }

        AfterAcquire(type, true);
    }

    /// <summary>Takes <paramref name="type"/> if it becomes free within <paramref name="timeout"/>.</summary>
    /// <param name="type">The type to take.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever, <see cref="TimeSpan.Zero"/> never waits.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> if the lock was taken, <see langword="false"/> on timeout.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative (other than infinite), or <paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="OperationCanceledException">The wait was canceled; the lock is not held.</exception>
    /// <exception cref="SixLockException">Same misuse as <see cref="Lock(SixLockType)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public bool TryLock(SixLockType type, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        long deadline = ToDeadline(timeout);
        long owner = CurrentThreadOwner;
        if (TryLockFast((int)type, owner))
        {
            return AfterAcquire(type, true);
        }

        ThrowIfDisposed();
        if (timeout == TimeSpan.Zero)
        {
            return false;
        }

        BeforeBlockingAcquire();
        return AfterAcquire(type, LockSlow(new WaitRequest((int)type, owner, null, null, deadline, cancellationToken)) switch
        {
            WaitOutcome.Acquired => true,
            WaitOutcome.Canceled => throw new OperationCanceledException(cancellationToken),
            _ => false,
        });
    }

    /// <summary>Lock-order validation before a blocking acquisition (dropped by the JIT when off).</summary>
    private void BeforeBlockingAcquire()
    {
        if (LockOrderValidator.s_enabled)
        {
            LockOrderValidator.BeforeBlockingAcquire(this);
        }
    }

    /// <summary>Records a successful acquisition for lock-order validation (dropped by the JIT when off).</summary>
    private bool AfterAcquire(SixLockType type, bool acquired)
    {
        if (LockOrderValidator.s_enabled && acquired)
        {
            LockOrderValidator.OnAcquired(this, type);
        }

        return acquired;
    }

    private static long ToDeadline(TimeSpan timeout)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        double ticks = timeout.TotalSeconds * Stopwatch.Frequency;
        return ticks >= long.MaxValue / 2 ? long.MaxValue : Stopwatch.GetTimestamp() + (long)ticks;
    }

    /// <summary>
    /// The blocking path: queue (before the retry and before the hook), optionally spin, then loop
    /// { acquired? hook; sleep }. Write first sets the write bit (writer preference).
    /// </summary>
    private WaitOutcome LockSlow(in WaitRequest request)
    {
        ThrowIfDisposed();
        int type = request.Type;
        if (request.Token.IsCancellationRequested)
        {
            return WaitOutcome.Canceled;
        }

        if (type != WriteType && SpinBeforeQueueing(type, request.Owner))
        {
            return WaitOutcome.Acquired;
        }

        // A contention from here on: every path below ends it exactly once (0: nobody listens).
        long begin = SixLockEvents.IsActive ? SixLockEvents.ContentionBegin(this, type) : 0;
        if (type == WriteType && SetWriteBitBeforeWaiting())
        {
            SixLockEvents.ContentionEnd(this, type, begin, handedOver: false, acquired: true);
            return WaitOutcome.Acquired;
        }

        var w = SyncWaiter.Rent();
        try
        {
            w.Prepare(type, request.Owner);
            bool first;
            lock (_waitLock)
            {
                long owner = request.Owner;
                if (TrySetWaitingAndLock(type, ref owner))
                {
                    // Our own retry took it (a barge), not an unlocker's handoff.
                    SixLockEvents.ContentionEnd(this, type, begin, handedOver: false, acquired: true);
                    return WaitOutcome.Acquired;
                }

                Enqueue(w);
                first = _heads[type] == w;
            }

            if (first && type != WriteType)
            {
                Spin(w);
            }

            // Once queued, the lock only comes by handoff (WakeWaiters sets Acquired for us); an
            // abort, timeout, cancellation or a throwing hook ends the contention unacquired.
            var outcome = WaitOutcome.Aborted;
            try
            {
                outcome = WaitLoop(w, request);
            }
            finally
            {
                bool acquired = outcome == WaitOutcome.Acquired;
                SixLockEvents.ContentionEnd(this, type, begin, handedOver: acquired, acquired: acquired);
            }

            return outcome;
        }
        finally
        {
            w.Return();
        }
    }

    /// <summary>
    /// Sets the write bit so new readers fail, then checks whether readers already drained.
    /// The caller holds intent, so nobody else sets this bit.
    /// </summary>
    private bool SetWriteBitBeforeWaiting()
    {
        if (_readers is not null)
        {
            return SetWriteBitAndCheckReadersPerCpu();
        }

        // Full fence, same word as every reader's compare-exchange: readers after this fail.
        uint now = (uint)Interlocked.Add(ref _state, (int)State.WriteHeld);
        Debug.Assert((now & State.WriteHeld) != 0);
        if ((now & State.ReaderMask) == 0)
        {
            _writeCount = 1;
            return true;
        }

        return false;
    }

    /// <summary>
    /// Short optimistic spin on the word before queueing, as the runtime's Lock does: when the holder
    /// releases within a few microseconds, taking the lock directly is far cheaper than queueing and a
    /// handoff. It never passes queued waiters of its type (it stops as soon as their waiting bit is
    /// set, so FIFO holds once a queue forms), never runs for write, and is skipped under no-spin.
    /// Bounded by <see cref="PreQueueSpinIterations"/> rounds of <see cref="SpinWait.SpinOnce(int)"/>
    /// (a Coyote scheduling point), each followed by a <see cref="Volatile"/> read of the word.
    /// </summary>
    private bool SpinBeforeQueueing(int type, long owner)
    {
        if (s_maxSpinIterations <= 0 || Environment.ProcessorCount == 1)
        {
            return false;
        }

        uint stop = State.NoSpin | State.WaitingBit(type);
        var spinner = default(SpinWait);
        for (int i = 0; i < PreQueueSpinIterations; i++)
        {
            // Busy-waits with back-off for the first rounds, then yields the processor (so an
            // oversubscribed holder can run and release); never sleeps a whole millisecond.
            spinner.SpinOnce(sleep1Threshold: -1);
            uint s = (uint)Volatile.Read(ref _state);
            if ((s & stop) != 0)
            {
                return false;
            }

            if ((s & TypeTable.FailMask[type]) == 0
                && (type == ReadType ? TryLockRead() : TryLockIntent(owner, out _)))
            {
                return true;
            }

        }

        return false;
    }

    /// <summary>The first waiter spins on its own record, bounded by time and by <see cref="s_maxSpinIterations"/>.</summary>
    private void Spin(Waiter w)
    {
        int max = s_maxSpinIterations;
        if (max <= 0 || Environment.ProcessorCount == 1 || new State((uint)Volatile.Read(ref _state)).IsNoSpin)
        {
            return;
        }

        long start = Stopwatch.GetTimestamp();
        for (int i = 1; i <= max; i++)
        {
            // Acquire: pairs with the unlocker's release of Acquired (WakeWaiters). Also a Coyote
            // scheduling point every round.
            if (Volatile.Read(ref w.Acquired) != 0)
            {
                return;
            }

            if ((i & 15) == 0)
            {
                if (Stopwatch.GetTimestamp() - start > s_spinLimitTicks)
                {
                    break;
                }

                if ((i & 63) == 0)
                {
                    Thread.Yield();
                }
            }

            Thread.SpinWait(SpinWaitPerIteration);
        }

        if (Volatile.Read(ref w.Acquired) == 0)
        {
            // Spinning did not pay: others should not spin until the next intent or write unlock.
            Interlocked.Or(ref _state, unchecked((int)State.NoSpin));
        }
    }

    /// <summary>Loop { acquired? hook, cancellation, deadline; sleep }. Aborts release a concurrently handed-over lock.</summary>
    private WaitOutcome WaitLoop(SyncWaiter w, in WaitRequest request)
    {
        CancellationTokenRegistration registration = default;
        try
        {
            if (request.Token.CanBeCanceled)
            {
                registration = request.Token.UnsafeRegister(static s => ((SyncWaiter)s!).Nudge(), w);
            }

            while (true)
            {
                // Acquire: pairs with the release in WakeWaiters; the holder fields are visible after it.
                if (Volatile.Read(ref w.Acquired) != 0)
                {
                    return WaitOutcome.Acquired;
                }

                var outcome = WaitOutcome.Acquired;
                try
                {
                    if (request.ShouldSleep is not null && !request.ShouldSleep(this, w.Info, request.State))
                    {
                        outcome = WaitOutcome.Aborted;
                    }
                }
                catch
                {
                    AbortWait(w);
                    throw;
                }

                int timeoutMs = Timeout.Infinite;
                if (outcome == WaitOutcome.Acquired && request.Token.IsCancellationRequested)
                {
                    outcome = WaitOutcome.Canceled;
                }
                else if (outcome == WaitOutcome.Acquired && request.Deadline != long.MaxValue)
                {
                    long left = request.Deadline - Stopwatch.GetTimestamp();
                    if (left <= 0)
                    {
                        outcome = WaitOutcome.TimedOut;
                    }
                    else
                    {
                        timeoutMs = (int)Math.Min(int.MaxValue - 1, (left * 1000 / Stopwatch.Frequency) + 1);
                    }
                }

                if (outcome != WaitOutcome.Acquired)
                {
                    AbortWait(w);
                    return outcome;
                }

                w.Park(timeoutMs);
            }
        }
        finally
        {
            // Waits for a running cancellation callback: it touches the record, which we reuse next.
            registration.Dispose();
        }
    }

    /// <summary>
    /// Leaves the wait list after an abort. If an unlocker handed the lock over concurrently (the
    /// flag, read under the wait-list lock where it is published, is final), releases it again.
    /// An aborted write clears its write bit and lets blocked readers in.
    /// </summary>
    private void AbortWait(Waiter w)
    {
        bool handedOver;
        lock (_waitLock)
        {
            handedOver = Volatile.Read(ref w.Acquired) != 0;
            if (!handedOver)
            {
                Unlink(w);
                if (_heads[w.Type] is null)
                {
                    Interlocked.And(ref _state, (int)~State.WaitingBit(w.Type));
                }

                if (w.Type == WriteType)
                {
                    // Full fence; readers that failed on the bit queued with the waiting-read bit set.
                    uint now = (uint)Interlocked.And(ref _state, unchecked((int)~State.WriteHeld)) & ~State.WriteHeld;
                    if ((now & State.WaitingRead) != 0)
                    {
                        WakeWaiters(ReadType);
                    }
                }
            }
        }

        if (handedOver)
        {
#if PRIMITIVES_MUTANTS
            if (Mutations.IsActive(SixLockMutants.AbortAfterHandoff))
            {
                // Mutant (Aug 2023, should_sleep_fn error after handoff): the abort returns without
                // releasing the lock it was handed concurrently; nobody ever releases it.
                return;
            }
#endif
            UnlockCore(w.Type, w.Owner);
        }
    }
}
