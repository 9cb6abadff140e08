namespace Primitives.Coyote.Tests.Counters;

/// <summary>Coyote tests of the per-CPU counters.</summary>
public sealed class CounterTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact]
    public void TestConcurrentAddsGiveExactSumAfterJoin() => this.RunScenario(PerCpuCounterScenarios.ConcurrentAddsGiveExactSum);

    [Fact]
    public void TestSumDuringAddsIsWithinCompletedAndStarted() => this.RunScenario(PerCpuCounterScenarios.SumDuringAddsIsWithinBounds);

    [Fact]
    public void TestResetRacingAddsKeepsWholeAdds() => this.RunScenario(PerCpuCounterScenarios.ResetRacingAddsKeepsWholeAdds);

    [Fact]
    public void TestReservationNeverOvercommitsAndLosesNothing() => this.RunScenario(PerCpuReservationScenarios.ReserveReleaseNeverOvercommits);

    [Fact]
    public void TestReservationGrantsOnlyTheLastUnitsThatFit() => this.RunScenario(PerCpuReservationScenarios.CompetingForTheLastUnits);
}
