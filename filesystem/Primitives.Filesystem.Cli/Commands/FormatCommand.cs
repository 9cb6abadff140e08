using System.CommandLine;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary><c>fs format DEVICE-OR-IMAGE [--size S]</c>: writes a new, empty filesystem.</summary>
internal static class FormatCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = new Argument<string>("device") { Description = "A block device (/dev/loopN) or an image file" };
        var size = new Option<string?>("--size") { Description = "Create (or resize) the image file to this size first, e.g. 256M (image files only)" };
        var bucket = new Option<string?>("--bucket-size") { Description = "Bucket size (default 256K)" };
        var node = new Option<string?>("--node-size") { Description = "Btree node size (default 64K)" };
        var journal = new Option<int?>("--journal-buckets") { Description = "Journal buckets (default 8)" };
        var force = new Option<bool>("--force", "-f") { Description = "Overwrite an existing filesystem (this one's or another's)" };
        var command = new Command("format", "Write a new, empty filesystem (superblock, journal, empty btrees)") { device, size, bucket, node, journal, force };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            string path = parse.GetValue(device)!;
            if (parse.GetValue(size) is { } s)
            {
                CreateImage(path, CommandRunner.ParseSize(s));
            }

            var options = new FormatOptions
            {
                BucketSize = parse.GetValue(bucket) is { } b ? checked((int)CommandRunner.ParseSize(b)) : FormatOptions.DefaultBucketSize,
                BtreeNodeSize = parse.GetValue(node) is { } n ? checked((int)CommandRunner.ParseSize(n)) : FormatOptions.DefaultBtreeNodeSize,
                JournalBuckets = parse.GetValue(journal) ?? FormatOptions.DefaultJournalBuckets,
                Force = parse.GetValue(force),
            };
            using var dev = CommandRunner.OpenDevice(path);
            if (!options.Force && await HoldsFilesystemAsync(dev, ct).ConfigureAwait(false))
            {
                throw new FilesystemException($"{path} already holds a Primitives filesystem: refusing to format over it (use --force)");
            }

            var info = await FileSystem.FormatAsync(dev, options, ct).ConfigureAwait(false);
            console.MarkupLineInterpolated($"formatted [green]{path}[/]: {info}");
            return ExitCodes.Ok;
        }));
        return command;
    }

    private static async Task<bool> HoldsFilesystemAsync(Devices.BlockDevice device, CancellationToken ct)
    {
        try
        {
            await SuperblockIO.ReadAsync(device, ct).ConfigureAwait(false);
            return true;
        }
        catch (FilesystemException)
        {
            return false;
        }
    }

    internal static void CreateImage(string path, long size)
    {
        if (path.StartsWith("/dev/", StringComparison.Ordinal))
        {
            throw new ArgumentException($"--size applies to image files, not to the device {path}");
        }

        using var file = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite);
        file.SetLength(size);
    }
}
