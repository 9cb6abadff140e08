using System.CommandLine;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary><c>fs bench DEVICE-OR-IMAGE</c>: formats the device and measures a key/value + extent workload (bounded by a count, not a time).</summary>
internal static class BenchCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = new Argument<string>("device") { Description = "A block device (/dev/loopN) or an image file (ERASED: bench formats it)" };
        var threads = new Option<int>("--threads") { Description = "Committing threads", DefaultValueFactory = _ => 2 };
        var transactions = new Option<int>("--transactions") { Description = "Transactions per thread", DefaultValueFactory = _ => 5000 };
        var keys = new Option<int>("--keys-per-transaction") { Description = "Keys per transaction", DefaultValueFactory = _ => 2 };
        var flushEvery = new Option<int>("--flush-every") { Description = "fsync after every n-th transaction of a thread (0: never)", DefaultValueFactory = _ => 8 };
        var dataEvery = new Option<int>("--data-every") { Description = "write an 8 KiB data extent with every n-th transaction (0: never)", DefaultValueFactory = _ => 2 };
        var command = new Command("bench", "Format the device and measure commit/flush latency and throughput under concurrent load") { device, threads, transactions, keys, flushEvery, dataEvery };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            var options = new WorkloadOptions
            {
                Threads = parse.GetValue(threads),
                TransactionsPerThread = parse.GetValue(transactions),
                KeysPerTransaction = parse.GetValue(keys),
                FlushEvery = parse.GetValue(flushEvery),
                DataEvery = parse.GetValue(dataEvery),
                DeleteEvery = 0,
            };
            ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1, "--threads");
            ArgumentOutOfRangeException.ThrowIfLessThan(options.TransactionsPerThread, 1, "--transactions");
            ArgumentOutOfRangeException.ThrowIfLessThan(options.KeysPerTransaction, 1, "--keys-per-transaction");
            ArgumentOutOfRangeException.ThrowIfNegative(options.FlushEvery, "--flush-every");
            ArgumentOutOfRangeException.ThrowIfNegative(options.DataEvery, "--data-every");
            using var dev = CommandRunner.OpenDevice(parse.GetValue(device)!);
            await FileSystem.FormatAsync(dev, new FormatOptions { Force = true }, ct).ConfigureAwait(false);
            using var contention = new SixLockContentionMonitor();
            await using var fs = await FileSystem.MountAsync(dev, MountOptions.Default, ct).ConfigureAwait(false);
            var result = await new Workload(options).RunAsync(fs.KeyValues, fs.Data, ct).ConfigureAwait(false);
            await fs.UnmountAsync(ct).ConfigureAwait(false);
            console.MarkupLineInterpolated($"{dev.Name}: {options.Threads} threads x {options.TransactionsPerThread} transactions in {result.Elapsed.TotalSeconds:0.00} s");
            StatisticsPrinter.Print(console, result, fs.Statistics, contention);
            return ExitCodes.Ok;
        }));
        return command;
    }
}
