namespace Primitives.Coyote;

/// <summary>The outcome of one engine run (one strategy, one seed, up to N iterations).</summary>
/// <param name="Test">Name of the test or scenario.</param>
/// <param name="Strategy">Strategy and seed that ran.</param>
/// <param name="Iterations">Iterations executed: up to and including the failing one, or all of them.</param>
/// <param name="Elapsed">Wall-clock time of the run.</param>
/// <param name="Error">The first bug report, or <see langword="null"/> when no bug was found.</param>
/// <param name="ReproducibleTrace">The JSON trace that replays the failing schedule (null when none).</param>
/// <param name="TraceFiles">Files written under the traces folder for the failure (trace, readable log).</param>
/// <param name="MaxSteps">The most scheduling steps an iteration took (to size step bounds).</param>
public sealed record CoyoteRun(
    string Test,
    CoyoteStrategy Strategy,
    int Iterations,
    TimeSpan Elapsed,
    string? Error,
    string? ReproducibleTrace,
    IReadOnlyList<string> TraceFiles,
    int MaxSteps)
{
    /// <summary>Whether Coyote found a bug.</summary>
    public bool FoundBug => this.Error is not null;

    /// <summary>The .trace file that <c>--replay</c> takes, or null.</summary>
    public string? TraceFile => this.TraceFiles.FirstOrDefault(f => f.EndsWith(".trace", StringComparison.Ordinal));

    /// <summary>One line for logs and the bug-zoo table.</summary>
    public string Summary => this.FoundBug
        ? $"{this.Test} -> found in {this.Iterations} iterations / {this.Elapsed.TotalSeconds:0.00} s ({this.Strategy})"
        : $"{this.Test} -> no bug in {this.Iterations} iterations / {this.Elapsed.TotalSeconds:0.00} s ({this.Strategy}, max {this.MaxSteps} steps)";
}
