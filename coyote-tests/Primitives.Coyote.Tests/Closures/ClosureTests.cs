namespace Primitives.Coyote.Tests.Closures;

/// <summary>Coyote tests of <see cref="Primitives.Closures.Closure"/>.</summary>
public sealed class ClosureTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact]
    public void TestSyncWaitsThroughConcurrentGetPutPairs() => this.RunScenario(ClosureScenarios.SyncWaitsThroughConcurrentGetPutPairs);

    [Fact]
    public void TestContinuationRunsExactlyOnce() => this.RunScenario(ClosureScenarios.ContinuationRunsExactlyOnce);

    [Fact]
    public void TestParentCompletesAfterAllDescendants() => this.RunScenario(ClosureScenarios.ParentCompletesAfterAllDescendants);

    [Fact]
    public void TestSyncTimeoutRacesCompletion() => this.RunScenario(ClosureScenarios.SyncTimeoutRacesCompletion);

    [Fact]
    public void TestWaitUntilLosesNoWakeup() => this.RunScenario(ClosureScenarios.WaitUntilLosesNoWakeup);

    [Fact]
    public void TestWakeUpRacesWait() => this.RunScenario(ClosureScenarios.WakeUpRacesWait);

    [Fact]
    public void TestSyncAsyncWaitsForTrackedTasks() => this.RunScenario(ClosureScenarios.SyncAsyncWaitsForTrackedTasks);

    [Fact]
    public void TestBackToBackSyncsReuseTheWaitRecord() => this.RunScenario(ClosureScenarios.BackToBackSyncsReuseTheWaitRecord);

    [Fact]
    public void TestStepsHopBetweenExecutorsInOrder() => this.RunScenario(ClosureScenarios.StepsHopBetweenExecutorsInOrder);

    [Fact]
    public void TestTryGetNotZeroNeverResurrects() => this.RunScenario(ClosureScenarios.TryGetNotZeroNeverResurrects);

    [Fact]
    public void TestWaitUntilAsyncLosesNoWakeup() => this.RunScenario(ClosureScenarios.WaitUntilAsyncLosesNoWakeup);

    [Fact]
    public void TestLateGetIsReported() => this.RunScenario(ClosureScenarios.LateGetIsReported);
}
