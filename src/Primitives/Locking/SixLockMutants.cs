#if PRIMITIVES_MUTANTS
namespace Primitives.Locking;

/// <summary>
/// Names of the historical six-lock bugs (see six-locks.md) that exist as compile-time mutants of
/// <see cref="SixLock"/>: activate one with <c>Mutations.Active = SixLockMutants.X</c> in a build with
/// <c>PRIMITIVES_MUTANTS</c>. The real code is untouched in the default build.
/// </summary>
internal static class SixLockMutants
{
    /// <summary>
    /// Bug 1 (2023 review of six.c: <c>lock_acquired</c> set by a plain store after <c>barrier()</c>):
    /// the handoff flag is published before the unlocker unlinks the waiter. The waiter returns and
    /// reuses its per-thread record while the unlocker still unlinks it, so the waiters queued behind
    /// it fall off the list (lost wakeup / hang). Site: <c>SixLock.WakeWaiters</c>.
    /// </summary>
    public const string HandoffFlagBeforeUnlink = nameof(HandoffFlagBeforeUnlink);

    /// <summary>
    /// Bug 2 (Nov 2023, per-CPU read trylock lost wakeup): the failing reader reads the waiting-write
    /// bit before it decrements its slot, so a writer that queued because of the temporary increment
    /// sleeps forever. Site: <c>SixLock.ReadTrylockFailedPerCpu</c>.
    /// </summary>
    public const string PerCpuTrylockLostWakeup = nameof(PerCpuTrylockLostWakeup);

    /// <summary>
    /// Bug 3 (Aug 2024): the writer sums the per-CPU reader slots before its write bit is visible,
    /// so a reader slips in and both hold the lock. Site: <c>SixLock.SetWriteBitAndCheckReadersPerCpu</c>.
    /// </summary>
    public const string WriterWaitingBitAfterSum = nameof(WriterWaitingBitAfterSum);

    /// <summary>
    /// Bug 4 (Aug 2023): a should-sleep abort returns without releasing a lock that an unlocker handed
    /// over concurrently; the lock is leaked. Site: <c>SixLock.AbortWait</c>.
    /// </summary>
    public const string AbortAfterHandoff = nameof(AbortAfterHandoff);

    /// <summary>
    /// Bug 5 (2023, woken task exited before wake_up: missing task reference): the waker picks its
    /// waiter, lets go of the wait list, and hands the lock over later, when the waiter may have
    /// aborted and left: the lock goes to nobody. Site: <c>SixLock.WakeWaiters</c> (intent/write).
    /// </summary>
    public const string WakerTouchesWaiterAfterLeft = nameof(WakerTouchesWaiterAfterLeft);

    /// <summary>
    /// Bug 6 (Mar 2023 "be more careful about lost wakeups"): the intent unlock decides whom to wake
    /// from a snapshot of the word read before its release, missing a waiter that queued in between.
    /// Site: <c>SixLock.UnlockIntent</c>.
    /// </summary>
    public const string PlainLostWakeup = nameof(PlainLostWakeup);
}
#endif
