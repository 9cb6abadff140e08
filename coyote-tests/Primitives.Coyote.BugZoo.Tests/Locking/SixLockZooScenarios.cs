using Primitives.Coyote.Tests.Locking;
using Primitives.Internal;
using Primitives.Locking;
using Scenarios = Primitives.Coyote.Tests.Locking.SixLockScenarios;

namespace Primitives.Coyote.BugZoo.Locking;

/// <summary>
/// The six lock's historical bugs (see <see cref="SixLockMutants"/> and six-locks.md), each
/// activated in the mutant build and run through the same scenario body the Coyote tests run
/// against the real library; each has a baseline twin with no mutant, which must pass.
/// </summary>
internal static class SixLockZooScenarios
{
    public const string Deadlock = "Deadlock detected";

    private static Task With(string? mutant, Func<Task> body)
    {
        Mutations.Active = mutant; // set at the start of every iteration: deterministic
        return body();
    }

    // Bug 1: the handoff flag is published before the unlink; the waiter reuses its per-thread
    // record on its next lock while the waker still unlinks it from this one, and the waiter queued
    // behind it falls off the list. In the mutant an explicit Thread.Yield between the publish and the
    // unlink stands for the unlink's stores landing after the flag (store reordering, which Coyote's
    // sequentially consistent interleavings do not produce by themselves); the real code publishes
    // after the unlink and passes the same scenario. The ordering itself is also shown on the explicit
    // store-buffer model (memory.handoff.pso-plain-store in the Coyote tests).
    [CoyoteScenario("zoo.sixlock.handoff-flag-before-unlink", ExpectedError = Deadlock, Iterations = 1_000)]
    public static Task HandoffFlagBeforeUnlink() => With(SixLockMutants.HandoffFlagBeforeUnlink, Scenarios.WaiterRecordReusedAfterHandoff);

    [CoyoteScenario("zoo.sixlock.handoff-flag-before-unlink.baseline", Iterations = 100)]
    public static Task HandoffFlagBeforeUnlinkBaseline() => With(null, Scenarios.WaiterRecordReusedAfterHandoff);

    // Bug 2: per-CPU read trylock checks the waiting-write bit before decrementing its slot.
    [CoyoteScenario("zoo.sixlock.percpu-trylock-lost-wakeup", ExpectedError = Deadlock, Iterations = 1_000)]
    public static Task PerCpuTrylockLostWakeup() => With(SixLockMutants.PerCpuTrylockLostWakeup, Scenarios.PerCpuTrylockVsWriter);

    [CoyoteScenario("zoo.sixlock.percpu-trylock-lost-wakeup.baseline", Iterations = 100)]
    public static Task PerCpuTrylockLostWakeupBaseline() => With(null, Scenarios.PerCpuTrylockVsWriter);

    // Bug 3: the writer sums the per-CPU slots before its write bit is visible.
    [CoyoteScenario("zoo.sixlock.writer-sums-before-write-bit", ExpectedError = Holders.Exclusion, Iterations = 1_000)]
    public static Task WriterWaitingBitAfterSum() => With(SixLockMutants.WriterWaitingBitAfterSum, Scenarios.PerCpuReadersVsWriters);

    [CoyoteScenario("zoo.sixlock.writer-sums-before-write-bit.baseline", Iterations = 100)]
    public static Task WriterWaitingBitAfterSumBaseline() => With(null, Scenarios.PerCpuReadersVsWriters);

    // Bug 4: a should-sleep abort keeps a lock handed over concurrently (leak).
    [CoyoteScenario("zoo.sixlock.abort-after-handoff", ExpectedError = "aborted Lock left intent held", Iterations = 1_000)]
    public static Task AbortAfterHandoff() => With(SixLockMutants.AbortAfterHandoff, Scenarios.ShouldSleepAbortRacesHandoff);

    [CoyoteScenario("zoo.sixlock.abort-after-handoff.baseline", Iterations = 100)]
    public static Task AbortAfterHandoffBaseline() => With(null, Scenarios.ShouldSleepAbortRacesHandoff);

    // Bug 5: the waker hands over after letting go of the wait list, to a waiter that left: either
    // the next waiter sleeps forever (deadlock) or the lock stays held by nobody (not free at the end).
    [CoyoteScenario("zoo.sixlock.waker-touches-waiter-after-left", ExpectedError = Deadlock + "||lock not free", Iterations = 1_000)]
    public static Task WakerTouchesWaiterAfterLeft() => With(SixLockMutants.WakerTouchesWaiterAfterLeft, Scenarios.ShouldSleepAbortRacesHandoff);

    [CoyoteScenario("zoo.sixlock.waker-touches-waiter-after-left.baseline", Iterations = 100)]
    public static Task WakerTouchesWaiterAfterLeftBaseline() => With(null, Scenarios.ShouldSleepAbortRacesHandoff);

    // Bug 6: intent unlock decides whom to wake from a snapshot taken before its release.
    [CoyoteScenario("zoo.sixlock.plain-lost-wakeup", ExpectedError = Deadlock, Iterations = 1_000)]
    public static Task PlainLostWakeup() => With(SixLockMutants.PlainLostWakeup, Scenarios.HandoffIntentChain);

    [CoyoteScenario("zoo.sixlock.plain-lost-wakeup.baseline", Iterations = 100)]
    public static Task PlainLostWakeupBaseline() => With(null, Scenarios.HandoffIntentChain);
}
