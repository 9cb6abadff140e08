using System.Reflection;
using Primitives.Coyote;

// The scenario assemblies this explorer knows without --assembly: the Coyote tests and the bug zoo. Referencing them by type keeps the assemblies loaded and their
// rewritten copies in this output folder.
Assembly[] known =
[
    typeof(Primitives.Coyote.Tests.Counters.CounterTests).Assembly,
    typeof(Primitives.Coyote.BugZoo.BugZooTable).Assembly,
];
Environment.SetEnvironmentVariable("COYOTE_CLI_TELEMETRY_OPTOUT", "1");
return ExplorerCommand.Run(args, Console.Out, known);
