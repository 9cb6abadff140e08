using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Exporters.Csv;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

using Primitives.Benchmarks.Locking;

namespace Primitives.Benchmarks;

/// <summary>
/// Entry point. <c>--smoke</c> runs every benchmark once, in process, to prove each one runs
/// (the test command does this; nothing is timed). Anything else goes to BenchmarkDotNet's
/// switcher (<c>--filter</c>, <c>--job</c>, <c>--artifacts</c>...); <c>bench/run.sh</c> wraps it and
/// files the results under <c>bench/results/</c>.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        var switcher = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly);
        bool isSmoke = args.Contains("--smoke");
        string artifacts = ArtifactsPath(args) ?? (isSmoke
            ? Path.Combine(Path.GetTempPath(), "primitives-bench-smoke")
            : Path.Combine(Directory.GetCurrentDirectory(), "BenchmarkDotNet.Artifacts"));

        // Benchmarks that report more than BenchmarkDotNet's table (latency quantiles, fairness)
        // write their own files into the results folder; benchmark processes inherit the variable.
        Environment.SetEnvironmentVariable(ResultTable.DirectoryVariable, Path.Combine(Path.GetFullPath(artifacts), "results"));
        if (isSmoke)
        {
            // A mutator, so it also replaces the jobs that suites name in their own [Config].
            var smoke = ManualConfig.CreateEmpty()
                .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance).WithId("smoke").AsMutator())
                .AddLogger(BenchmarkDotNet.Loggers.ConsoleLogger.Default)
                .AddColumnProvider(DefaultColumnProviders.Instance)
                .AddExporter(CsvExporter.Default)
                .WithOptions(ConfigOptions.DisableLogFile | ConfigOptions.JoinSummary)
                .WithArtifactsPath(artifacts);
            var rest = args.Where(a => a != "--smoke").ToArray();
            var summaries = switcher.Run(rest.Contains("--filter") ? rest : [.. rest, "--filter", "*"], smoke);
            var reports = summaries.SelectMany(s => s.Reports).ToArray();
            var broken = reports.Where(r => !r.Success).Select(r => r.BenchmarkCase.DisplayInfo).ToArray();
            Console.WriteLine($"smoke: {reports.Length} benchmark cases ran, {broken.Length} failed");
            foreach (var b in broken) Console.WriteLine($"  failed: {b}");
            Console.WriteLine($"smoke: extra result tables (if any) in {ResultTable.Folder}");
            return reports.Length > 0 && broken.Length == 0 ? 0 : 1;
        }

        var config = DefaultConfig.Instance
            .AddExporter(MarkdownExporter.GitHub, CsvExporter.Default)
            .WithOptions(ConfigOptions.JoinSummary);
        switcher.Run(args, config);
        return 0;
    }

    // The value of BenchmarkDotNet's --artifacts option, if given.
    private static string? ArtifactsPath(string[] args)
    {
        int i = Array.IndexOf(args, "--artifacts");
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
