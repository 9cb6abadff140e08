using System.Diagnostics;
using System.Text;
using Microsoft.Coyote;
using Microsoft.Coyote.SystematicTesting;

namespace Primitives.Coyote;

/// <summary>
/// Runs a test delegate under Coyote's systematic testing engine with the project's settings,
/// and on a failure writes the reproducible trace under the traces folder.
/// </summary>
/// <remarks>
/// Settings that every run shares: telemetry off; partially controlled concurrency
/// <em>not</em> allowed, so an uncontrolled call (a <c>System.Threading.Lock</c>, a
/// <c>ManualResetEventSlim</c>, a <c>Task.WhenAll</c> span overload) fails the test instead of
/// silently weakening the exploration; potential deadlocks are bugs; a step bound per iteration.
/// Environment knobs for long runs without code changes: <c>PRIMITIVES_COYOTE_ITERATIONS_SCALE</c>
/// (multiplies every iteration count) and <c>PRIMITIVES_COYOTE_TRACES</c> (traces folder).
/// </remarks>
public static class CoyoteRunner
{
    /// <summary>Default scheduling-step bound per iteration (fair and unfair).</summary>
    public const uint DefaultMaxSteps = 5_000;

    /// <summary>The base configuration of every run, before strategy and iterations.</summary>
    public static Configuration BaseConfiguration(uint maxSteps = DefaultMaxSteps, bool potentialDeadlocksAreBugs = true) =>
        Configuration.Create()
            .WithTelemetryEnabled(false)
            .WithPartiallyControlledConcurrencyAllowed(false)
            .WithPotentialDeadlocksReportedAsBugs(potentialDeadlocksAreBugs)
            .WithMaxSchedulingSteps(maxSteps)
            .WithConsoleLoggingEnabled(false);

    /// <summary>Scales a CI iteration count by <c>PRIMITIVES_COYOTE_ITERATIONS_SCALE</c> (default 1).</summary>
    public static uint ScaleIterations(int iterations)
    {
        double scale = double.TryParse(Environment.GetEnvironmentVariable("PRIMITIVES_COYOTE_ITERATIONS_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out double s) && s > 0 ? s : 1;
        return (uint)Math.Max(1, Math.Round(iterations * scale));
    }

    /// <summary>
    /// The folder failure traces go to: <c>PRIMITIVES_COYOTE_TRACES</c>, else
    /// <c>coyote-tests/traces</c> of the repository holding the running assembly (gitignored),
    /// else <c>traces</c> under the current directory.
    /// </summary>
    public static string TracesDirectory
    {
        get
        {
            if (Environment.GetEnvironmentVariable("PRIMITIVES_COYOTE_TRACES") is { Length: > 0 } configured)
            {
                return Path.GetFullPath(configured);
            }

            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Primitives.sln")))
                {
                    return Path.Combine(dir.FullName, "coyote-tests", "traces");
                }
            }

            return Path.GetFullPath("traces");
        }
    }

    /// <summary>
    /// Explores <paramref name="test"/> (an <see cref="Action"/> or <see cref="Func{Task}"/>) for
    /// up to <paramref name="iterations"/> iterations under one strategy; stops at the first bug
    /// and writes its trace to <paramref name="tracesDirectory"/> (default <see cref="TracesDirectory"/>).
    /// </summary>
    public static CoyoteRun Run(string name, Delegate test, CoyoteStrategy strategy, uint iterations, uint maxSteps = DefaultMaxSteps, string? tracesDirectory = null, bool potentialDeadlocksAreBugs = true)
    {
        Configuration configuration = strategy.Apply(BaseConfiguration(maxSteps, potentialDeadlocksAreBugs)).WithTestingIterations(iterations);
        int executed = 0;
        var stopwatch = Stopwatch.StartNew();
        using TestingEngine engine = Create(configuration, test);
        engine.RegisterEndIterationCallBack(i => executed = (int)i + 1);
        engine.Run();
        stopwatch.Stop();

        TestReport report = engine.TestReport;
        ThrowOnInternalErrors(name, report);
        if (report.NumOfFoundBugs == 0)
        {
            return new CoyoteRun(name, strategy, executed, stopwatch.Elapsed, null, null, [], Math.Max(report.MaxExploredFairSteps, report.MaxExploredUnfairSteps));
        }

        string error = report.BugReports.First();
        IReadOnlyList<string> files = SaveTrace(engine, name, strategy, error, tracesDirectory ?? TracesDirectory);
        return new CoyoteRun(name, strategy, executed, stopwatch.Elapsed, error, engine.ReproducibleTrace, files, Math.Max(report.MaxExploredFairSteps, report.MaxExploredUnfairSteps));
    }

    /// <summary>
    /// Replays a reproducible trace (the JSON content of a .trace file) once; returns the bug it
    /// reproduces, or null when the schedule no longer fails.
    /// </summary>
    public static string? Replay(Delegate test, string reproducibleTrace, uint maxSteps = DefaultMaxSteps, bool potentialDeadlocksAreBugs = true)
    {
        Configuration configuration = BaseConfiguration(maxSteps, potentialDeadlocksAreBugs).WithReproducibleTrace(reproducibleTrace);
        using TestingEngine engine = Create(configuration, test);
        engine.Run();
        ThrowOnInternalErrors("replay", engine.TestReport);
        return engine.TestReport.NumOfFoundBugs > 0 ? engine.TestReport.BugReports.First() : null;
    }

    private static TestingEngine Create(Configuration configuration, Delegate test)
    {
        TestingEngine engine = test switch
        {
            Func<Task> asyncTest => TestingEngine.Create(configuration, asyncTest),
            Action syncTest => TestingEngine.Create(configuration, syncTest),
            _ => throw new ArgumentException($"a Coyote test is an Action or a Func<Task>, not {test.GetType()}", nameof(test)),
        };
        engine.SetLogger(NullLogger.Instance);
        return engine;
    }

    private static void ThrowOnInternalErrors(string name, TestReport report)
    {
        if (report.InternalErrors.Count > 0)
        {
            throw new InvalidOperationException($"Coyote internal error in {name}: {string.Join(Environment.NewLine, report.InternalErrors)}");
        }
    }

    private static IReadOnlyList<string> SaveTrace(TestingEngine engine, string name, CoyoteStrategy strategy, string error, string directory)
    {
        Directory.CreateDirectory(directory);
        string stem = $"{Sanitize(name)}.{strategy.Name}.{strategy.Seed}";
        var files = new List<string>();
        if (engine.TryEmitReports(directory, stem, out IEnumerable<string> emitted))
        {
            files.AddRange(emitted);
        }

        // The emitted set depends on the run (a .trace only when a bug was found); write the
        // reproducible trace explicitly so --replay always has its input.
        string tracePath = Path.Combine(directory, stem + ".trace");
        File.WriteAllText(tracePath, engine.ReproducibleTrace);
        string summaryPath = Path.Combine(directory, stem + ".bug.txt");
        File.WriteAllText(summaryPath, $"test: {name}{Environment.NewLine}strategy: {strategy.Name}{Environment.NewLine}seed: {strategy.Seed}{Environment.NewLine}error: {error}{Environment.NewLine}{Environment.NewLine}{engine.ReadableTrace}");
        files.Remove(tracePath);
        files.Insert(0, tracePath);
        if (!files.Contains(summaryPath))
        {
            files.Add(summaryPath);
        }

        return files;
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        return builder.ToString();
    }
}
