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

    [Fact]
    public void TestFindsRefillDuringDrain() => this.Zoo(
        CounterMutants.RefillDuringDrain, "PerCpuReservation refills a cache while the slow path drains: false out of space",
        ReservationSlotScenarios.RefillDuringDrain, ReservationSlotScenarios.RefillDuringDrainBaseline);

    [Fact]
    public void TestFindsUnfrozenReleaseTotal() => this.Zoo(
        CounterMutants.UnfrozenReleaseTotal, "PerCpuReservation totals unfrozen counts: a correct release is refused",
        ReservationSlotScenarios.UnfrozenReleaseTotal, ReservationSlotScenarios.UnfrozenReleaseTotalBaseline);
}
