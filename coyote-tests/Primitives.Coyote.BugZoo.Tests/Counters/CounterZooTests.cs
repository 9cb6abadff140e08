using Primitives.Counters;

namespace Primitives.Coyote.BugZoo.Counters;

/// <summary>Coyote finds the counters' planted bugs; the real code passes the same scenario.</summary>
public sealed class CounterZooTests(ITestOutputHelper output, BugZooTable table) : BugZooTestBase(output, table)
{
    [Fact]
    public void TestFindsUnlockedFold() => this.Zoo(
        CounterMutants.UnlockedFold, "PerCpuCounter fold without the lock: Sum misses completed adds",
        CounterZooScenarios.UnlockedFold, CounterZooScenarios.UnlockedFoldBaseline);

    [Fact]
    public void TestFindsCheckThenSubtract() => this.Zoo(
        CounterMutants.CheckThenSubtract, "PerCpuReservation check-then-subtract: over-commit",
        CounterZooScenarios.CheckThenSubtract, CounterZooScenarios.CheckThenSubtractBaseline);
}
