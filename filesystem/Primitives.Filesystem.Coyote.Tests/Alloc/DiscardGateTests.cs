using Primitives.Filesystem.Alloc;

namespace Primitives.Filesystem.Coyote.Tests.Alloc;

/// <summary>Coyote tests of the allocator's discard gate (one class: the mutant switch is static, so these run one at a time).</summary>
public sealed class DiscardGateTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact]
    public void TestDiscardNeverMeetsAClaimedBucket() => this.RunScenario(DiscardGateScenarios.DiscardVersusClaimants);

    [Fact]
    public void TestNoBucketIsReusedBeforeItsEmptyingIsDurable() => this.RunScenario(DiscardGateScenarios.NoReuseBeforeTheEmptyingIsDurable);

    [Fact]
    public void TestFindsTheSeed000RaceWhenAClaimBypassesTheGate()
    {
        CoyoteRun found = this.RunScenario(DiscardGateScenarios.DiscardVersusGateBypassingClaim);
        Assert.True(found.FoundBug);

        // How quickly each strategy of the plan finds it (the numbers the notes report).
        foreach (CoyoteStrategy strategy in CoyoteStrategy.Plan)
        {
            CoyoteRun run = CoyoteRunner.Run("fs.alloc.discard-gate.bypass-mutant", (Func<Task>)DiscardGateScenarios.DiscardVersusGateBypassingClaim, strategy, 1_000);
            this.Output.WriteLine($"{AllocMutants.ClaimBypassesDiscardGate}: {run.Summary}: {run.Error}");
            Assert.True(run.FoundBug, $"{strategy} did not find the gate bypass in 1,000 iterations");
        }
    }
}
