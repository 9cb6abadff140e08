namespace Primitives.Coyote.Tests.Locking;

/// <summary>Coyote tests of <see cref="Primitives.Locking.SixLock"/>; see <see cref="SixLockScenarios"/>.</summary>
public sealed class SixLockTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact] public void TestReadersShareTheLock() => this.RunScenario(SixLockScenarios.ReadRead);
    [Fact] public void TestReadAndIntentCoexistWithoutViolation() => this.RunScenario(SixLockScenarios.ReadIntent);
    [Fact] public void TestReadAndWriteExcludeEachOther() => this.RunScenario(SixLockScenarios.ReadWrite);
    [Fact] public void TestIntentExcludesIntent() => this.RunScenario(SixLockScenarios.IntentIntent);
    [Fact] public void TestIntentAndWriteExcludeEachOther() => this.RunScenario(SixLockScenarios.IntentWrite);
    [Fact] public void TestWriteExcludesWrite() => this.RunScenario(SixLockScenarios.WriteWrite);
    [Fact] public void TestReadIsAdmittedUnderIntent() => this.RunScenario(SixLockScenarios.ReadAdmittedUnderIntent);
    [Fact] public void TestWriteRequiresIntent() => this.RunScenario(SixLockScenarios.WriteRequiresIntent);
    [Fact] public void TestNoLostWakeupsWithSyncWaiters() => this.RunScenario(SixLockScenarios.NoLostWakeupsSync);
    [Fact] public void TestNoLostWakeupsWithAsyncWaiters() => this.RunScenario(SixLockScenarios.NoLostWakeupsAsync);
    [Fact] public void TestNoLostWakeupsWithMixedWaiters() => this.RunScenario(SixLockScenarios.NoLostWakeupsMixed);
    [Fact] public void TestHandoffGoesToAllQueuedReaders() => this.RunScenario(SixLockScenarios.HandoffToAllReaders);
    [Fact] public void TestHandoffChainsIntentWaiters() => this.RunScenario(SixLockScenarios.HandoffIntentChain);
    [Fact] public void TestWaitingWriterKeepsNewReadersOut() => this.RunScenario(SixLockScenarios.WriterPreference);
    [Fact] public void TestRelockFailsAfterAnyWrite() => this.RunScenario(SixLockScenarios.RelockSeesEveryWrite);
    [Fact] public void TestDowngradeAndUpgrade() => this.RunScenario(SixLockScenarios.DowngradeAndUpgrade);
    [Fact] public void TestShouldSleepAbortRacingHandoffLeavesLockFree() => this.RunScenario(SixLockScenarios.ShouldSleepAbortRacesHandoff);
    [Fact] public void TestCancellationOfSyncWaiterRacingHandoffLeavesLockFree() => this.RunScenario(SixLockScenarios.CancellationSyncRacesHandoff);
    [Fact] public void TestCancellationOfAsyncWaiterRacingHandoffLeavesLockFree() => this.RunScenario(SixLockScenarios.CancellationAsyncRacesHandoff);
    [Fact] public void TestPerCpuReadersExcludeWriters() => this.RunScenario(SixLockScenarios.PerCpuReadersVsWriters);
    [Fact] public void TestPerCpuTrylockBackoutWakesWriter() => this.RunScenario(SixLockScenarios.PerCpuTrylockVsWriter);
}
