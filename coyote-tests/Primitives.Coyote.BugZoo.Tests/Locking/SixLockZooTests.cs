using Primitives.Locking;

namespace Primitives.Coyote.BugZoo.Locking;

/// <summary>Coyote finds each re-planted six-lock bug; the real code passes the same scenario.</summary>
public sealed class SixLockZooTests(ITestOutputHelper output, BugZooTable table) : BugZooTestBase(output, table)
{
    [Fact]
    public void TestFindsHandoffFlagPublishedBeforeUnlink() => this.Zoo(
        SixLockMutants.HandoffFlagBeforeUnlink, "handoff flag published before the unlink; the waiter reuses its record (Aug 2023)",
        SixLockZooScenarios.HandoffFlagBeforeUnlink, SixLockZooScenarios.HandoffFlagBeforeUnlinkBaseline);

    [Fact]
    public void TestFindsPerCpuTrylockLostWakeup() => this.Zoo(
        SixLockMutants.PerCpuTrylockLostWakeup, "per-CPU read trylock checks waiters before its decrement (Nov 2023)",
        SixLockZooScenarios.PerCpuTrylockLostWakeup, SixLockZooScenarios.PerCpuTrylockLostWakeupBaseline);

    [Fact]
    public void TestFindsWriterSummingBeforeWriteBit() => this.Zoo(
        SixLockMutants.WriterWaitingBitAfterSum, "writer sums per-CPU readers before its bit is visible (Aug 2024)",
        SixLockZooScenarios.WriterWaitingBitAfterSum, SixLockZooScenarios.WriterWaitingBitAfterSumBaseline);

    [Fact]
    public void TestFindsAbortKeepingHandedOverLock() => this.Zoo(
        SixLockMutants.AbortAfterHandoff, "should-sleep abort after a concurrent handoff keeps the lock (Aug 2023)",
        SixLockZooScenarios.AbortAfterHandoff, SixLockZooScenarios.AbortAfterHandoffBaseline);

    [Fact]
    public void TestFindsWakerHandingOverToDepartedWaiter() => this.Zoo(
        SixLockMutants.WakerTouchesWaiterAfterLeft, "waker hands over to a waiter that already left (2023)",
        SixLockZooScenarios.WakerTouchesWaiterAfterLeft, SixLockZooScenarios.WakerTouchesWaiterAfterLeftBaseline);

    [Fact]
    public void TestFindsPlainLostWakeup() => this.Zoo(
        SixLockMutants.PlainLostWakeup, "intent unlock wakes from a stale snapshot (Mar 2023)",
        SixLockZooScenarios.PlainLostWakeup, SixLockZooScenarios.PlainLostWakeupBaseline);
}
