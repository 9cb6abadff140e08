namespace Primitives.Coyote;

/// <summary>
/// Marks a static, parameterless method returning <see cref="Task"/> (or <see langword="void"/>)
/// as a named Coyote scenario: the body of one test iteration. The xunit tests run scenarios by
/// delegate; the explorer finds them by name through <see cref="ScenarioCatalog"/> for long runs
/// and replays.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = false)]
public sealed class CoyoteScenarioAttribute(string name) : Attribute
{
    /// <summary>Catalogue name, dotted by area: <c>sixlock.handoff.all-readers</c>.</summary>
    public string Name { get; } = name;

    /// <summary>
    /// For a must-find scenario (a planted bug or a deliberately broken protocol): a fragment of
    /// the expected bug report, or alternatives separated by <c>||</c>. <see langword="null"/> for
    /// scenarios that must pass.
    /// </summary>
    public string? ExpectedError { get; init; }

    /// <summary>Iterations per strategy in the CI run (the explorer takes its own count).</summary>
    public int Iterations { get; init; } = 200;

    /// <summary>
    /// Whether Coyote's <em>potential</em> deadlocks (a hang while some operation is not
    /// controlled) fail the scenario. Default true. Set false only with a comment naming the
    /// uncontrolled wait inside .NET that Coyote cannot see through (e.g.
    /// <c>CancellationTokenRegistration.Dispose</c> waiting for a running callback); definite
    /// deadlocks (every controlled task blocked: a lost wakeup) are still bugs.
    /// </summary>
    public bool PotentialDeadlocksAreBugs { get; init; } = true;
}
