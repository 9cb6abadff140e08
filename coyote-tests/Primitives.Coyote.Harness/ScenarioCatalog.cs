using System.Reflection;

namespace Primitives.Coyote;

/// <summary>A scenario found by <see cref="ScenarioCatalog"/>.</summary>
public sealed record Scenario(string Name, MethodInfo Method, CoyoteScenarioAttribute Attribute)
{
    /// <summary>Whether the scenario is expected to fail (a must-find scenario).</summary>
    public bool MustFind => this.Attribute.ExpectedError is not null;

    /// <summary>The test delegate Coyote runs, one call per iteration.</summary>
    public Delegate CreateDelegate() =>
        this.Method.ReturnType == typeof(void)
            ? this.Method.CreateDelegate<Action>()
            : this.Method.CreateDelegate<Func<Task>>();
}

/// <summary>Discovers <see cref="CoyoteScenarioAttribute"/> methods in assemblies.</summary>
public static class ScenarioCatalog
{
    /// <summary>All scenarios of the assemblies, sorted by name; fails on duplicate names or bad signatures.</summary>
    public static IReadOnlyList<Scenario> Discover(params Assembly[] assemblies)
    {
        var scenarios = new List<Scenario>();
        foreach (Assembly assembly in assemblies)
        {
            foreach (Type type in assembly.GetTypes())
            {
                foreach (MethodInfo method in type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
                {
                    if (method.GetCustomAttribute<CoyoteScenarioAttribute>() is not { } attribute)
                    {
                        continue;
                    }

                    if (method.GetParameters().Length != 0 || (method.ReturnType != typeof(Task) && method.ReturnType != typeof(void)))
                    {
                        throw new InvalidOperationException($"scenario {attribute.Name} ({type.FullName}.{method.Name}) must be static, parameterless and return Task or void");
                    }

                    scenarios.Add(new Scenario(attribute.Name, method, attribute));
                }
            }
        }

        var duplicate = scenarios.GroupBy(s => s.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"duplicate scenario name {duplicate.Key}");
        }

        scenarios.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return scenarios;
    }
}
