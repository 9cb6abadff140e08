using Primitives.Filesystem.Cli;
using Spectre.Console;

namespace Primitives.Filesystem.Tests.Cli;

/// <summary>Runs the <c>fs</c> command line in process with a recording console.</summary>
internal static class CliHarness
{
    public static async Task<(int ExitCode, string Output)> RunAsync(params string[] args)
    {
        var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
            Interactive = InteractionSupport.No,
            Out = new AnsiConsoleOutput(writer),
        });
        console.Profile.Width = 200;
        int code = await FsCommandLine.Build(console).Parse(args).InvokeAsync();
        return (code, writer.ToString());
    }
}
