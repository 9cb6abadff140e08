using System.Reflection;
using Microsoft.Coyote.Rewriting;

namespace Primitives.Coyote.BugZoo;

/// <summary>The zoo runs the rewritten mutant build, and every zoo entry has its no-mutant baseline.</summary>
[Collection(BugZooCollection.Name)]
public sealed class BuildTests
{
    [Theory]
    [InlineData("Primitives.Mutants")]
    [InlineData("Primitives.Coyote.Harness")]
    [InlineData("Primitives.Coyote.BugZoo.Tests")]
    public void TestBuildRewroteAssembly(string name) =>
        Assert.True(RewritingEngine.IsAssemblyRewritten(Assembly.Load(name)), $"{name} is not rewritten: Coyote.targets did not run");

    [Fact]
    public void TestEveryMutantScenarioHasABaseline()
    {
        IReadOnlyList<Scenario> scenarios = ScenarioCatalog.Discover(typeof(BuildTests).Assembly);
        var names = scenarios.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        Assert.NotEmpty(scenarios);
        Assert.All(scenarios.Where(s => s.MustFind), s => Assert.Contains(s.Name + ".baseline", names));
        Assert.All(scenarios.Where(s => !s.MustFind), s => Assert.EndsWith(".baseline", s.Name, StringComparison.Ordinal));
    }
}
