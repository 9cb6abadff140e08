namespace Primitives.Filesystem.Coyote.Tests.Journaling;

/// <summary>Coyote tests of the journal (must pass), and the seed-003 bug-zoo mutant (must be found).</summary>
public sealed class JournalTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact]
    public void TestReservationKeepsItsSequencePinnedAgainstAConcurrentClose() => this.RunScenario(JournalScenarios.ReservationKeepsItsSequencePinned);

    [Fact]
    public void TestFullRingBlocksReservationsUntilReclaimFreesSpace() => this.RunScenario(JournalScenarios.FullRingBlocksAndReclaims);

    [Fact]
    public void TestPinMovesAndDropsRaceWithReclaim() => this.RunScenario(JournalScenarios.PinMovesAndDropsRaceWithReclaim);

    [Fact]
    public void TestFreezeDrainsAndHoldsReservations() => this.RunScenario(JournalScenarios.FreezeDrainsAndHoldsReservations);

    [Fact]
    public void TestFindsSeed003OldPinLifetimeMutant() => this.RunScenario(JournalScenarios.OldPinLifetimeLosesADirtyObject);

    [Fact]
    public void TestFindsSeed003OldPinLifetimeMutantByItsSymptom() => this.RunScenario(JournalScenarios.OldPinLifetimeShowsAsADirtyObjectLeftOver);
}
