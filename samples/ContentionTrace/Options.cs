using System.Globalization;

namespace ContentionTrace;

/// <summary>The command line: <c>[--pid N] [--duration S] [--json] [--iterations K] [--hold-ms H] [--keep-trace PATH]</c>, or <c>--workload</c>.</summary>
internal sealed record Options
{
    public bool Workload { get; init; }

    /// <summary>Workload mode: wait for "go" on stdin after printing "ready", and for "quit" at the end (set by the tracer).</summary>
    public bool Handshake { get; init; }

    public int? Pid { get; init; }

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);

    public bool Json { get; init; }

    public int Iterations { get; init; } = 20;

    public int HoldMilliseconds { get; init; } = 2;

    public string? KeepTrace { get; init; }

    public const string Usage = """
        usage: ContentionTrace [--json] [--iterations K] [--hold-ms H] [--keep-trace FILE]
                   run the built-in workload in a child process and trace it
               ContentionTrace --pid N [--duration SECONDS] [--json] [--keep-trace FILE]
                   attach to a running .NET process for SECONDS (default 10)
               ContentionTrace --workload [--iterations K] [--hold-ms H]
                   only run the workload (prints what it did as JSON)
        """;

    public static Options Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Positive(string s) => int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int v) && v > 0
                ? v
                : throw new ArgumentException($"{args[i - 1]}: '{s}' is not a positive integer");
            o = args[i] switch
            {
                "--workload" => o with { Workload = true },
                "--handshake" => o with { Handshake = true },
                "--json" => o with { Json = true },
                "--pid" => o with { Pid = Positive(Next()) },
                "--duration" => o with
                {
                    Duration = double.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out double s) && s > 0
                        ? TimeSpan.FromSeconds(s)
                        : throw new ArgumentException($"--duration: '{args[i]}' is not a positive number of seconds"),
                },
                "--iterations" => o with { Iterations = Positive(Next()) },
                "--hold-ms" => o with { HoldMilliseconds = Positive(Next()) },
                "--keep-trace" => o with { KeepTrace = Next() },
                _ => throw new ArgumentException($"unknown argument '{args[i]}'"),
            };
        }

        if (o.Workload && o.Pid is not null)
        {
            throw new ArgumentException("--workload and --pid exclude each other");
        }

        return o;
    }
}
