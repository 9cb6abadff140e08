using Primitives.Filesystem.Cli;
using Spectre.Console;

return await FsCommandLine.Build(AnsiConsole.Console).Parse(args).InvokeAsync().ConfigureAwait(false);
