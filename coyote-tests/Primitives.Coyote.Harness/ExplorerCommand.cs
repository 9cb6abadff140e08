using System.Globalization;
using System.Reflection;

namespace Primitives.Coyote;

/// <summary>
/// The exploration runner behind <c>Primitives.Coyote.Explorer</c>, in the harness so that tests
/// can drive it in-process. Long runs and replays of catalogued scenarios:
/// <code>
/// --list                           list scenarios (name, must-find, CI iterations)
/// --test NAME|PREFIX*              scenario(s) to explore (default: all)
/// --iterations N                   iterations per strategy (default: the scenario's CI count)
/// --strategy random|pct|probabilistic|delay   (default: the CI plan, each with its seed)
/// --seed S                         seed (with --strategy; default: the plan's seed for it)
/// --max-steps N                    scheduling-step bound per iteration
/// --replay TRACE                   replay a .trace file of --test NAME once
/// --out DIR                        where failure traces go (default: coyote-tests/traces)
/// --assembly PATH                  also scan this assembly for scenarios
/// --table FILE                     also write the results as a markdown table (the bug-zoo table)
/// </code>
/// Exit code: 0 when no bug was found (replay: the trace no longer fails); 1 when a bug was
/// found or reproduced, also for must-find scenarios, whose bug is expected (the line says so);
/// 2 on bad usage.
/// </summary>
public static class ExplorerCommand
{
    public const int NoBug = 0, BugFound = 1, Usage = 2;

    public static int Run(string[] args, TextWriter output, IEnumerable<Assembly> assemblies)
    {
        Options options;
        try
        {
            options = Options.Parse(args);
        }
        catch (ArgumentException e)
        {
            output.WriteLine($"error: {e.Message}");
            output.WriteLine("usage: --list | [--test NAME|PREFIX*] [--iterations N] [--strategy S] [--seed S] [--max-steps N] [--out DIR] [--assembly PATH] | --test NAME --replay TRACE");
            return Usage;
        }

        var all = assemblies.ToList();
        all.AddRange(options.Assemblies.Select(p => Assembly.LoadFrom(Path.GetFullPath(p))));
        IReadOnlyList<Scenario> catalog = ScenarioCatalog.Discover(all.Distinct().ToArray());

        if (options.List)
        {
            foreach (Scenario scenario in catalog)
            {
                output.WriteLine($"{scenario.Name,-60} {(scenario.MustFind ? "must-find" : "must-pass"),-9} {scenario.Attribute.Iterations,6}  {scenario.Method.DeclaringType?.Assembly.GetName().Name}");
            }

            return NoBug;
        }

        List<Scenario> selected = Select(catalog, options.Test);
        if (selected.Count == 0)
        {
            output.WriteLine($"error: no scenario matches '{options.Test}' (see --list)");
            return Usage;
        }

        if (options.Replay is { } tracePath)
        {
            if (selected.Count != 1)
            {
                output.WriteLine("error: --replay needs exactly one --test NAME");
                return Usage;
            }

            string? error = CoyoteRunner.Replay(selected[0].CreateDelegate(), File.ReadAllText(tracePath), options.MaxSteps, selected[0].Attribute.PotentialDeadlocksAreBugs);
            output.WriteLine(error is null
                ? $"{selected[0].Name}: replay of {tracePath} found no bug"
                : $"{selected[0].Name}: replay of {tracePath} reproduced: {error}");
            return error is null ? NoBug : BugFound;
        }

        bool anyBug = false;
        var table = new System.Text.StringBuilder();
        table.AppendLine("| scenario | expected | result | strategy, seed |");
        table.AppendLine("|---|---|---|---|");
        foreach (Scenario scenario in selected)
        {
            CoyoteRun? last = null;
            IEnumerable<CoyoteStrategy> strategies = options.Strategy is { } name
                ? [CoyoteStrategy.Parse(name, options.Seed ?? CoyoteStrategy.Plan.FirstOrDefault(p => p.Name == name)?.Seed ?? 1)]
                : CoyoteStrategy.Plan.Select(p => options.Seed is { } seed ? p with { Seed = seed } : p);
            foreach (CoyoteStrategy strategy in strategies)
            {
                uint iterations = options.Iterations ?? (uint)scenario.Attribute.Iterations;
                CoyoteRun run = CoyoteRunner.Run(scenario.Name, scenario.CreateDelegate(), strategy, iterations, options.MaxSteps, options.Out, scenario.Attribute.PotentialDeadlocksAreBugs);
                output.WriteLine(run.Summary);
                last = run;
                if (run.FoundBug)
                {
                    anyBug = true;
                    bool expected = scenario.Attribute.ExpectedError is { } fragment && CoyoteTestBase.Matches(run.Error!, fragment);
                    output.WriteLine($"  {(expected ? "expected bug" : "BUG")}: {run.Error}");
                    output.WriteLine($"  strategy {strategy.Name}, seed {strategy.Seed}");
                    output.WriteLine($"  trace: {run.TraceFile}");
                    output.WriteLine($"  replay: --test {scenario.Name} --replay \"{run.TraceFile}\"");
                    break;
                }
            }

            if (last is not null)
            {
                string result = last.FoundBug
                    ? $"found in {last.Iterations} iterations / {last.Elapsed.TotalSeconds:0.00} s"
                    : $"no bug in {last.Iterations} iterations / {last.Elapsed.TotalSeconds:0.00} s (last strategy)";
                table.AppendLine($"| `{scenario.Name}` | {(scenario.MustFind ? "bug" : "pass")} | {result} | {last.Strategy.Name}, {last.Strategy.Seed} |");
            }
        }

        if (options.Table is { } tablePath)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(tablePath))!);
            File.WriteAllText(tablePath, table.ToString());
            output.WriteLine($"table: {Path.GetFullPath(tablePath)}");
        }

        return anyBug ? BugFound : NoBug;
    }

    private static List<Scenario> Select(IReadOnlyList<Scenario> catalog, string? test) => test switch
    {
        null => [.. catalog],
        _ when test.EndsWith('*') => catalog.Where(s => s.Name.StartsWith(test[..^1], StringComparison.Ordinal)).ToList(),
        _ => catalog.Where(s => s.Name == test).ToList(),
    };

    private sealed class Options
    {
        public bool List { get; private set; }
        public string? Test { get; private set; }
        public uint? Iterations { get; private set; }
        public uint? Seed { get; private set; }
        public string? Strategy { get; private set; }
        public string? Replay { get; private set; }
        public string? Out { get; private set; }
        public string? Table { get; private set; }
        public uint MaxSteps { get; private set; } = CoyoteRunner.DefaultMaxSteps;
        public List<string> Assemblies { get; } = [];

        public static Options Parse(string[] args)
        {
            var options = new Options();
            for (int i = 0; i < args.Length; i++)
            {
                string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                uint Number() => uint.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out uint n) ? n : throw new ArgumentException($"{args[i - 1]} needs a non-negative integer");
                switch (args[i])
                {
                    case "--list": options.List = true; break;
                    case "--test": options.Test = Value(); break;
                    case "--iterations": options.Iterations = Number(); break;
                    case "--seed": options.Seed = Number(); break;
                    case "--strategy": options.Strategy = CoyoteStrategy.Parse(Value(), 0).Name; break;
                    case "--max-steps": options.MaxSteps = Number(); break;
                    case "--replay": options.Replay = Value(); break;
                    case "--out": options.Out = Path.GetFullPath(Value()); break;
                    case "--assembly": options.Assemblies.Add(Value()); break;
                    case "--table": options.Table = Value(); break;
                    default: throw new ArgumentException($"unknown option {args[i]}");
                }
            }

            return options;
        }
    }
}
