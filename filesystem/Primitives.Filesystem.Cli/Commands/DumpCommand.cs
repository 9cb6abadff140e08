using System.CommandLine;
using Primitives.Filesystem.Engine;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary><c>fs dump DEVICE-OR-IMAGE</c>: prints the superblock, the journal range, the btrees and the buckets (read-only).</summary>
internal static class DumpCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = new Argument<string>("device") { Description = "A block device (/dev/loopN) or an image file" };
        var keys = new Option<int>("--keys") { Description = "Also print up to this many keys of each btree", DefaultValueFactory = _ => 0 };
        var command = new Command("dump", "Print the superblock, journal, btrees and bucket usage (mounts read-only; nothing is written)") { device, keys };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            int maxKeys = parse.GetValue(keys);
            ArgumentOutOfRangeException.ThrowIfNegative(maxKeys, "--keys");
            using var dev = CommandRunner.OpenDevice(parse.GetValue(device)!, readOnly: true);
            await using var fs = await FileSystem.MountAsync(dev, new MountOptions { ReadOnly = true }, ct).ConfigureAwait(false);
            var info = fs.Describe();
            var sb = new Table().AddColumns("superblock", "value").HideHeaders();
            foreach (var (name, value) in info.Superblock)
            {
                sb.AddRow(Markup.Escape(name), Markup.Escape(value));
            }

            console.Write(sb);
            console.MarkupLineInterpolated($"mount: {info.Mount}");
            var btrees = new Table().AddColumns("btree", "depth", "nodes", "keys");
            foreach (var b in info.Btrees)
            {
                btrees.AddRow(b.Btree.ToString(), b.Depth.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Nodes.ToString(System.Globalization.CultureInfo.InvariantCulture), b.Keys.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(btrees);
            var buckets = new Table().AddColumns("bucket data type", "buckets");
            foreach (var (type, count) in info.BucketsByType)
            {
                buckets.AddRow(Markup.Escape(type), count.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            console.Write(buckets);
            if (maxKeys > 0)
            {
                using var tx = fs.KeyValues.Begin();
                foreach (var b in info.Btrees)
                {
                    int shown = 0;
                    foreach (var kv in tx.Range(b.Btree, Btrees.Bpos.Min, Btrees.Bpos.Max))
                    {
                        if (shown++ == maxKeys)
                        {
                            break;
                        }

                        console.MarkupLineInterpolated($"{b.Btree} {kv.Key}: {Convert.ToHexString(kv.Value.Span[..Math.Min(32, kv.Value.Length)])}{(kv.Value.Length > 32 ? "..." : string.Empty)} ({kv.Value.Length} bytes)");
                    }
                }
            }

            return ExitCodes.Ok;
        }));
        return command;
    }
}
