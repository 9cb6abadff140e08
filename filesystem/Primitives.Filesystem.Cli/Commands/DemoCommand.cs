using System.CommandLine;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Fsck;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary>
/// <c>fs demo [DEVICE-OR-IMAGE]</c>: the README's main job. Formats (a temporary image file unless a
/// device or image is named), runs a concurrent key/value + extent workload, unmounts, remounts, runs
/// more, crashes (drops the mount without unmounting), remounts (journal replay), verifies every
/// acknowledged write, runs fsck, and prints throughput, latencies and lock contention. Exits
/// nonzero if verification or fsck fails.
/// </summary>
internal static class DemoCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = new Argument<string?>("device") { Description = "A block device (/dev/loopN) or an image file (ERASED); default: a temporary image file", Arity = ArgumentArity.ZeroOrOne };
        var size = new Option<string>("--size") { Description = "Size of the temporary image", DefaultValueFactory = _ => "256M" };
        var threads = new Option<int>("--threads") { Description = "Workload threads", DefaultValueFactory = _ => 2 };
        var transactions = new Option<int>("--transactions") { Description = "Transactions per thread in the main run", DefaultValueFactory = _ => 2000 };
        var keep = new Option<bool>("--keep") { Description = "Keep the temporary image" };
        var command = new Command("demo", "Format, run a concurrent workload, unmount, remount, crash, replay, verify, fsck, and print the numbers") { device, size, threads, transactions, keep };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, () => RunAsync(
            console, parse.GetValue(device), CommandRunner.ParseSize(parse.GetValue(size)!), parse.GetValue(threads), parse.GetValue(transactions), parse.GetValue(keep), ct)));
        return command;
    }

    private static async Task<int> RunAsync(IAnsiConsole console, string? path, long imageSize, int threads, int transactions, bool keep, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, "--threads");
        ArgumentOutOfRangeException.ThrowIfLessThan(transactions, 1, "--transactions");
        string? tempDir = null;
        if (path is null)
        {
            tempDir = Directory.CreateTempSubdirectory("fs-demo-").FullName;
            path = Path.Combine(tempDir, "demo.img");
            FormatCommand.CreateImage(path, imageSize);
        }

        try
        {
            using var dev = CommandRunner.OpenDevice(path);
            console.MarkupLineInterpolated($"device: [green]{dev.Name}[/] ({dev.Size / 1048576} MiB, {dev.LogicalBlockSize}-byte blocks, {(dev.IsBlockDevice ? "block device" : "image file")}, {(dev.IsDirectIo ? "O_DIRECT" : "buffered")})");
            var info = await FileSystem.FormatAsync(dev, new FormatOptions { Force = true }, ct).ConfigureAwait(false);
            console.MarkupLineInterpolated($"1. formatted: {info}");
            return await RunPhasesAsync(console, dev, threads, transactions, ct).ConfigureAwait(false);
        }
        finally
        {
            if (tempDir is not null && !keep)
            {
                Directory.Delete(tempDir, recursive: true);
            }
            else if (tempDir is not null)
            {
                console.MarkupLineInterpolated($"kept the image: {path}");
            }
        }
    }

    private static async Task<int> RunPhasesAsync(IAnsiConsole console, BlockDevice dev, int threads, int transactions, CancellationToken ct)
    {
        var acknowledged = new Dictionary<(BtreeId, Bpos), long>();
        var deletes = new Dictionary<(BtreeId, Bpos), long>();
        var main = new WorkloadOptions { Threads = threads, TransactionsPerThread = transactions, KeySet = 0 };
        WorkloadResult mainResult;
        EngineStatistics mainStats;
        using var contention = new SixLockContentionMonitor();
        await using (var fs = await FileSystem.MountAsync(dev, MountOptions.Default, ct).ConfigureAwait(false))
        {
            console.MarkupLineInterpolated($"2. mounted: {fs.Mount}");
            mainResult = await console.Status().StartAsync(
                $"running {threads} threads x {transactions} transactions (key/value + extents + fsyncs)...",
                _ => new Workload(main).RunAsync(fs.KeyValues, fs.Data, ct)).ConfigureAwait(false);
            Merge(acknowledged, mainResult.Durable);
            Merge(deletes, mainResult.Deletes);
            mainStats = fs.Statistics;
            console.MarkupLineInterpolated($"3. workload: {mainResult.Commits} commits, {mainResult.KeysWritten} keys, {mainResult.DataBytes / 1048576.0:0.0} MiB data, {mainResult.Flushes} fsyncs in {mainResult.Elapsed.TotalSeconds:0.00} s; {mainResult.Durable.Count} keys acknowledged durable");
            await fs.UnmountAsync(ct).ConfigureAwait(false);
            console.MarkupLine("4. unmounted cleanly");
        }

        StatisticsPrinter.Print(console, mainResult, mainStats, contention);

        int failures = 0;
        await using (var fs = await FileSystem.MountAsync(dev, MountOptions.Default, ct).ConfigureAwait(false))
        {
            console.MarkupLineInterpolated($"5. remounted: {fs.Mount}");
            failures += await VerifyAsync(console, fs, acknowledged, deletes, "after the clean remount", ct).ConfigureAwait(false);
            var crashRun = await new Workload(main with { KeySet = 1, TransactionsPerThread = Math.Max(10, transactions / 4) + 3 }).RunAsync(fs.KeyValues, fs.Data, ct).ConfigureAwait(false);
            Merge(acknowledged, crashRun.Durable);
            Merge(deletes, crashRun.Deletes);
            console.MarkupLineInterpolated($"6. second workload: {crashRun.Commits} commits ({crashRun.Durable.Count} keys acknowledged), then a crash: the mount is dropped without unmounting");

            // DisposeAsync without UnmountAsync is the unclean shutdown: nothing more is written.
        }

        await using (var fs = await FileSystem.MountAsync(dev, MountOptions.Default, ct).ConfigureAwait(false))
        {
            console.MarkupLineInterpolated($"7. remounted after the crash: {fs.Mount}");
            failures += await VerifyAsync(console, fs, acknowledged, deletes, "after journal replay", ct).ConfigureAwait(false);
            await fs.UnmountAsync(ct).ConfigureAwait(false);
        }

        var report = await Fsck.Fsck.RunAsync(dev, FsckOptions.CheckOnly, ct).ConfigureAwait(false);
        console.Markup("8. fsck: ");
        FsckCommand.Print(console, report);
        if (!report.IsClean || failures > 0)
        {
            console.MarkupLineInterpolated($"[red]demo FAILED[/]: {failures} verification problem(s), fsck {(report.IsClean ? "clean" : "NOT clean")}");
            return ExitCodes.Problems;
        }

        console.MarkupLine("[green]demo passed[/]: every acknowledged write survived the clean remount and the crash, fsck is clean");
        return ExitCodes.Ok;
    }

    private static async Task<int> VerifyAsync(IAnsiConsole console, MountedFilesystem fs, IReadOnlyDictionary<(BtreeId, Bpos), long> acknowledged, IReadOnlyDictionary<(BtreeId, Bpos), long> deletes, string when, CancellationToken ct)
    {
        var problems = await Workload.VerifyAsync(fs.KeyValues, fs.Data, acknowledged, deletes, ct).ConfigureAwait(false);
        if (problems.Count == 0)
        {
            console.MarkupLineInterpolated($"   verified {acknowledged.Count} acknowledged keys {when}: all present and intact");
            return 0;
        }

        console.MarkupLineInterpolated($"   [red]{problems.Count} acknowledged key(s) lost or corrupt {when}[/]");
        foreach (string p in problems.Take(10))
        {
            console.MarkupLineInterpolated($"   {p}");
        }

        return problems.Count;
    }

    private static void Merge(Dictionary<(BtreeId, Bpos), long> into, IReadOnlyDictionary<(BtreeId Btree, Bpos Pos), long> from)
    {
        foreach (var (key, v) in from)
        {
            into[key] = v;
        }
    }
}
