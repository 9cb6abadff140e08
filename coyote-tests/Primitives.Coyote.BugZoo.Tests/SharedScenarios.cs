namespace Primitives.Coyote.Tests;

/// <summary>
/// Shadows <see cref="Primitives.Coyote.CoyoteScenarioAttribute"/> for the scenario files this
/// project links from Primitives.Coyote.Tests (they live in namespaces under
/// <c>Primitives.Coyote.Tests</c>, where C# finds this type before the harness's): here those
/// bodies are building blocks of the zoo's entries, not catalogued scenarios of their own, so the
/// explorer lists each name once and never runs a linked body with a stale mutant active.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
internal sealed class CoyoteScenarioAttribute(string name) : Attribute
{
    public string Name { get; } = name;

    public string? ExpectedError { get; init; }

    public int Iterations { get; init; }

    public bool PotentialDeadlocksAreBugs { get; init; } = true;
}
