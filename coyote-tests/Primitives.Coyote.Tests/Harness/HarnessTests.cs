using System.Reflection;
using Microsoft.Coyote.Rewriting;

namespace Primitives.Coyote.Tests.Harness;

/// <summary>The build rewrote what Coyote must control, and the harness finds, saves and replays bugs.</summary>
public sealed class HarnessTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Theory]
    [InlineData("Primitives")]
    [InlineData("Primitives.Coyote.Harness")]
    [InlineData("Primitives.Coyote.Tests")]
    public void TestBuildRewroteAssembly(string name)
    {
        Assembly assembly = Assembly.Load(name);
        Assert.True(RewritingEngine.IsAssemblyRewritten(assembly), $"{assembly.Location} is not rewritten: Coyote.targets did not run");
    }

    [Fact]
    public void TestFindsPlantedLostUpdateAndReplaysIt()
    {
        CoyoteRun run = this.RunScenario(HarnessScenarios.ReadThenWriteLosesAnUpdate);
        Assert.NotNull(run.TraceFile);
        Assert.True(File.Exists(run.TraceFile));
        Assert.StartsWith(CoyoteRunner.TracesDirectory, run.TraceFile, StringComparison.Ordinal);
    }

    [Fact]
    public void TestInterlockedIncrementPasses() => this.RunScenario(HarnessScenarios.InterlockedIncrementLosesNothing);

    [Fact]
    public void TestMustPassReportsStrategySeedAndTrace()
    {
        var failure = Assert.Throws<CoyoteTestFailedException>(() => this.Test(HarnessScenarios.ReadThenWriteLosesAnUpdate, iterations: 500));
        Assert.Contains("seed", failure.Message, StringComparison.Ordinal);
        Assert.Contains(".trace", failure.Message, StringComparison.Ordinal);
        Assert.Contains(HarnessScenarios.LostUpdate, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TestScenarioCatalogDiscoversEveryScenario()
    {
        IReadOnlyList<Scenario> scenarios = ScenarioCatalog.Discover(typeof(HarnessTests).Assembly);
        Assert.Contains(scenarios, s => s.Name == "harness.lost-update" && s.MustFind);
        Assert.Contains(scenarios, s => s.Name == "memory.dekker.tso-fenced" && !s.MustFind);
    }
}
