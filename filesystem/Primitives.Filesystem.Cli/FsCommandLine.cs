using System.CommandLine;
using Primitives.Filesystem.Cli.Commands;
using Spectre.Console;

namespace Primitives.Filesystem.Cli;

/// <summary>The <c>fs</c> command line: format, fsck, dump, bench, demo (and mount, when the FUSE layer provides it).</summary>
public static class FsCommandLine
{
    /// <summary>Builds the root command writing to <paramref name="console"/> (tests pass a recording console).</summary>
    public static RootCommand Build(IAnsiConsole console)
    {
        ArgumentNullException.ThrowIfNull(console);
        var root = new RootCommand("fs: format, check, inspect and exercise the Primitives sample filesystem (a bcachefs-style copy-on-write, journalled engine)");
        root.Subcommands.Add(FormatCommand.Create(console));
        root.Subcommands.Add(FsckCommand.Create(console));
        root.Subcommands.Add(DumpCommand.Create(console));
        root.Subcommands.Add(BenchCommand.Create(console));
        root.Subcommands.Add(DemoCommand.Create(console));
        root.Subcommands.Add(MountCommand.Create());
        return root;
    }
}
