namespace Primitives.Coyote.Tests.Harness;

/// <summary>The explorer finds a must-find scenario's bug, writes its trace to --out, and --replay reproduces it.</summary>
public sealed class ExplorerCommandTests
{
    private static (int ExitCode, string Output) Explore(params string[] args)
    {
        var output = new StringWriter();
        int exitCode = ExplorerCommand.Run(args, output, [typeof(ExplorerCommandTests).Assembly]);
        return (exitCode, output.ToString());
    }

    [Fact]
    public void TestExploreWritesTraceAndReplayReproducesIt()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "primitives-explorer-" + Guid.NewGuid().ToString("N"));
        try
        {
            (int found, string foundOutput) = Explore("--test", "harness.lost-update", "--strategy", "random", "--seed", "77", "--iterations", "500", "--out", outDir);
            Assert.Equal(ExplorerCommand.BugFound, found);
            Assert.Contains("seed 77", foundOutput, StringComparison.Ordinal);
            string trace = Assert.Single(Directory.GetFiles(outDir, "*.trace"));

            (int replayed, string replayOutput) = Explore("--test", "harness.lost-update", "--replay", trace);
            Assert.Equal(ExplorerCommand.BugFound, replayed);
            Assert.Contains("reproduced: lost update", replayOutput, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, recursive: true);
            }
        }
    }

    [Fact]
    public void TestExploreOfPassingScenarioExitsZero()
    {
        (int exitCode, string output) = Explore("--test", "harness.interlocked-increment", "--iterations", "50");
        Assert.Equal(ExplorerCommand.NoBug, exitCode);
        Assert.Contains("no bug in 50 iterations", output, StringComparison.Ordinal);
    }

    [Fact]
    public void TestListNamesEveryScenario()
    {
        (int exitCode, string output) = Explore("--list");
        Assert.Equal(ExplorerCommand.NoBug, exitCode);
        Assert.Contains("memory.handoff.pso-plain-store", output, StringComparison.Ordinal);
        Assert.Contains("must-find", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--bogus")]
    [InlineData("--test", "no.such.scenario")]
    [InlineData("--strategy", "dfs-please")]
    public void TestBadUsageExitsTwo(params string[] args) => Assert.Equal(ExplorerCommand.Usage, Explore(args).ExitCode);
}
