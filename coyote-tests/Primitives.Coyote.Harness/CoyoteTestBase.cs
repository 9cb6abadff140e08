using System.Reflection;
using Xunit.Abstractions;

namespace Primitives.Coyote;

/// <summary>Thrown when a Coyote test fails: the message carries the strategy, seed and trace path.</summary>
public sealed class CoyoteTestFailedException(string message) : Exception(message);

/// <summary>
/// Base class of the xunit Coyote tests, in the style of Coyote's own test suite: <see cref="Test"/>
/// for must-pass tests and <see cref="TestFindsBug"/> for must-find tests (a deliberately broken
/// protocol or a planted bug), which also replays the found schedule and checks it reproduces.
/// </summary>
public abstract class CoyoteTestBase(ITestOutputHelper output)
{
    /// <summary>The xunit output of the running test.</summary>
    protected ITestOutputHelper Output { get; } = output;

    /// <summary>
    /// Must pass: explores <paramref name="test"/> under every strategy of
    /// <see cref="CoyoteStrategy.Plan"/> for <paramref name="iterations"/> iterations each.
    /// On a bug, fails with the strategy, seed, error and the path of the saved trace.
    /// </summary>
    protected IReadOnlyList<CoyoteRun> Test(Delegate test, int iterations = 200, uint maxSteps = CoyoteRunner.DefaultMaxSteps, string? name = null, bool potentialDeadlocksAreBugs = true)
    {
        name ??= NameOf(test);
        var runs = new List<CoyoteRun>();
        foreach (CoyoteStrategy strategy in CoyoteStrategy.Plan)
        {
            CoyoteRun run = CoyoteRunner.Run(name, test, strategy, CoyoteRunner.ScaleIterations(iterations), maxSteps, potentialDeadlocksAreBugs: potentialDeadlocksAreBugs);
            this.Output.WriteLine(run.Summary);
            runs.Add(run);
            if (run.FoundBug)
            {
                throw new CoyoteTestFailedException(
                    $"Coyote found a bug in {name} after {run.Iterations} iterations ({run.Strategy}):{Environment.NewLine}{run.Error}{Environment.NewLine}" +
                    $"trace: {run.TraceFile}{Environment.NewLine}replay: Primitives.Coyote.Explorer --test {name} --replay \"{run.TraceFile}\"");
            }
        }

        return runs;
    }

    /// <summary>
    /// Must find: explores <paramref name="test"/> under each strategy of the plan until one finds
    /// a bug whose report contains <paramref name="expectedError"/> (or one of its <c>||</c>-separated
    /// alternatives: one bug can show as a lost wakeup or as a leaked hold, by schedule), then replays the saved trace
    /// and checks it reproduces the same error. Fails if no strategy finds it in
    /// <paramref name="iterations"/> iterations. Returns the finding run.
    /// </summary>
    protected CoyoteRun TestFindsBug(Delegate test, string expectedError, int iterations = 1_000, uint maxSteps = CoyoteRunner.DefaultMaxSteps, string? name = null, bool potentialDeadlocksAreBugs = true)
    {
        name ??= NameOf(test);
        foreach (CoyoteStrategy strategy in CoyoteStrategy.Plan)
        {
            CoyoteRun run = CoyoteRunner.Run(name, test, strategy, CoyoteRunner.ScaleIterations(iterations), maxSteps, potentialDeadlocksAreBugs: potentialDeadlocksAreBugs);
            this.Output.WriteLine(run.Summary);
            if (!run.FoundBug)
            {
                continue;
            }

            if (!Matches(run.Error!, expectedError))
            {
                throw new CoyoteTestFailedException($"{name}: Coyote found a different bug ({run.Strategy}) than '{expectedError}':{Environment.NewLine}{run.Error}{Environment.NewLine}trace: {run.TraceFile}");
            }

            string? replayed = CoyoteRunner.Replay(test, File.ReadAllText(run.TraceFile!), maxSteps, potentialDeadlocksAreBugs);
            if (replayed is null || !Matches(replayed, expectedError))
            {
                throw new CoyoteTestFailedException($"{name}: the trace {run.TraceFile} did not reproduce '{expectedError}' on replay (got: {replayed ?? "no bug"})");
            }

            this.Output.WriteLine($"  error: {run.Error}");
            this.Output.WriteLine($"  replayed from {run.TraceFile}");
            return run;
        }

        throw new CoyoteTestFailedException($"{name}: no strategy of the plan found '{expectedError}' in {iterations} iterations each");
    }

    /// <summary>Runs a catalogued scenario: must-pass or must-find according to its attribute.</summary>
    protected CoyoteRun RunScenario(Delegate scenario)
    {
        CoyoteScenarioAttribute attribute = scenario.Method.GetCustomAttribute<CoyoteScenarioAttribute>()
            ?? throw new ArgumentException($"{scenario.Method.Name} has no [CoyoteScenario]", nameof(scenario));
        return attribute.ExpectedError is { } expected
            ? this.TestFindsBug(scenario, expected, attribute.Iterations, name: attribute.Name, potentialDeadlocksAreBugs: attribute.PotentialDeadlocksAreBugs)
            : this.Test(scenario, attribute.Iterations, name: attribute.Name, potentialDeadlocksAreBugs: attribute.PotentialDeadlocksAreBugs)[^1];
    }

    /// <summary>Whether a bug report contains the expected fragment, or one of several separated by <c>||</c>.</summary>
    public static bool Matches(string error, string expectedError) =>
        expectedError.Split("||", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Any(fragment => error.Contains(fragment, StringComparison.Ordinal));

    private static string NameOf(Delegate test) =>
        test.Method.GetCustomAttribute<CoyoteScenarioAttribute>()?.Name ?? $"{test.Method.DeclaringType?.Name}.{test.Method.Name}";
}
