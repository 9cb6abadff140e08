using Primitives.Closures;

namespace Primitives.Coyote.BugZoo.Closures;

/// <summary>Coyote finds the closures' missing-read-barrier bug (made explicit), and the real code passes.</summary>
public sealed class ClosureBarrierZooTests(ITestOutputHelper output, BugZooTable table) : BugZooTestBase(output, table)
{
    [Fact]
    public void TestFindsSleeperReadBeforeFinalPut() => this.Zoo(
        ClosureMutants.SleeperReadBeforeFinalPut, "waker reads the sleeper before observing zero (missing read barrier, 2026)",
        ClosureBarrierZooScenarios.SleeperReadBeforeFinalPut, ClosureBarrierZooScenarios.SleeperReadBeforeFinalPutBaseline);
}
