using System.CommandLine;
using Primitives.Filesystem.Fsck;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary><c>fs fsck DEVICE-OR-IMAGE [--repair]</c>: checks (and repairs) a filesystem.</summary>
internal static class FsckCommand
{
    public static Command Create(IAnsiConsole console)
    {
        var device = new Argument<string>("device") { Description = "A block device (/dev/loopN) or an image file" };
        var repair = new Option<bool>("--repair", "-y") { Description = "Repair what is found (default: check only, nothing is written)" };
        var command = new Command("fsck", "Check a filesystem: alloc keys vs btree and data pointers, free space and need_discard indexes, node checksums, dirents/inodes/link counts") { device, repair };
        command.SetAction((parse, ct) => CommandRunner.RunAsync(console, async () =>
        {
            bool fix = parse.GetValue(repair);
            using var dev = CommandRunner.OpenDevice(parse.GetValue(device)!, readOnly: !fix);
            var report = await Fsck.Fsck.RunAsync(dev, new FsckOptions { Repair = fix }, ct).ConfigureAwait(false);
            Print(console, report);
            return report.IsClean ? ExitCodes.Ok : report.Unrepaired == 0 ? ExitCodes.Repaired : ExitCodes.Problems;
        }));
        return command;
    }

    internal static void Print(IAnsiConsole console, FsckReport report)
    {
        console.MarkupLineInterpolated($"checked {report.Counts}");
        if (report.IsClean)
        {
            console.MarkupLine("[green]clean[/]: no problem found");
            return;
        }

        var table = new Table().AddColumns("kind", "where", "problem", "repaired");
        foreach (var p in report.Problems)
        {
            table.AddRow(Markup.Escape(p.Kind.ToString()), Markup.Escape(p.Location), Markup.Escape(p.Message), p.Repaired ? "[green]yes[/]" : "[red]no[/]");
        }

        console.Write(table);
        console.MarkupLineInterpolated($"[yellow]{report.Problems.Count} problem(s)[/], {report.Unrepaired} unrepaired");
    }
}
