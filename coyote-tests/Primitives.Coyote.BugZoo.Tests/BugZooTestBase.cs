using System.Reflection;

namespace Primitives.Coyote.BugZoo;

/// <summary>
/// A zoo test: the mutant's scenario (which activates the mutant) must be found and its trace
/// must replay; the baseline scenario (the same body with no mutant active) must pass.
/// </summary>
[Collection(BugZooCollection.Name)]
public abstract class BugZooTestBase(ITestOutputHelper output, BugZooTable table) : CoyoteTestBase(output)
{
    protected void Zoo(string mutant, string bug, Delegate withMutant, Delegate baseline)
    {
        Assert.True(Environment.ProcessorCount == 1, "run the bug zoo with DOTNET_PROCESSOR_COUNT=1 (bugzoo.runsettings) so that per-CPU slots, and so traces, are deterministic");
        CoyoteRun found = this.RunScenario(withMutant);
        this.Output.WriteLine($"{mutant} -> found in {found.Iterations} iterations / {found.Elapsed.TotalSeconds:0.00} seconds ({found.Strategy.Name}, seed {found.Strategy.Seed})");
        var baselineRuns = this.Test(baseline, baseline.Method.GetCustomAttribute<CoyoteScenarioAttribute>()!.Iterations);
        table.Add(new BugZooRow(mutant, bug, found, baselineRuns.Sum(r => r.Iterations), baselineRuns.Sum(r => r.Elapsed.TotalSeconds)));
    }
}
