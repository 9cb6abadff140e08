using System.Globalization;

namespace Primitives.Filesystem.Fsx;

/// <summary>The command line of <c>fsx</c>.</summary>
internal sealed class FsxOptions
{
    public const string Usage = """
        usage: fsx DIR [--ops N | --duration SECONDS] [--seed S] [--files K] [--max-size BYTES]
                   [--max-io BYTES] [--log-ops N] [--no-punch] [--quiet]
          Random reads, writes, truncates, extends, holes (punch), renames, fsyncs and close/reopen on
          K files in DIR (created; removed at the end unless a check fails), every byte read checked
          against an in-memory model. Same seed, same operations. Exit 0 = no mismatch, 1 = a mismatch
          (the seed and the last operations are printed), 2 = bad usage or an I/O error.
        """;

    public string Directory { get; private set; } = "";

    public long Ops { get; private set; } = 10_000;

    public TimeSpan? Duration { get; private set; }

    public int Seed { get; private set; } = Environment.TickCount & 0x7FFFFFFF;

    public int Files { get; private set; } = 4;

    public int MaxSize { get; private set; } = 1 << 20;

    public int MaxIo { get; private set; } = 128 * 1024;

    public int LogOps { get; private set; } = 40;

    public bool Punch { get; private set; } = true;

    public bool Quiet { get; private set; }

    /// <summary>Options for a run on <paramref name="directory"/> (tests).</summary>
    public static FsxOptions For(string directory, long ops, int seed, int files = 4, int maxSize = 1 << 20, int maxIo = 128 * 1024) =>
        new() { Directory = directory, Ops = ops, Seed = seed, Files = files, MaxSize = maxSize, MaxIo = Math.Min(maxIo, maxSize), Quiet = true };

    /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> with a message on bad usage.</summary>
    public static FsxOptions Parse(string[] args)
    {
        var o = new FsxOptions();
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{a} needs a value");
            long Number(long min, long max)
            {
                string s = Next();
                if (!long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
                {
                    throw new ArgumentException($"{a} {s}: expected an integer in [{min}, {max}]");
                }

                return v;
            }

            switch (a)
            {
                case "--ops": o.Ops = Number(1, long.MaxValue); break;
                case "--duration": o.Duration = TimeSpan.FromSeconds(Number(1, 86_400)); break;
                case "--seed": o.Seed = (int)Number(0, int.MaxValue); break;
                case "--files": o.Files = (int)Number(1, 64); break;
                case "--max-size": o.MaxSize = (int)Number(4096, 1 << 30); break;
                case "--max-io": o.MaxIo = (int)Number(1, 16 << 20); break;
                case "--log-ops": o.LogOps = (int)Number(1, 100_000); break;
                case "--no-punch": o.Punch = false; break;
                case "--quiet": o.Quiet = true; break;
                case "-h" or "--help": throw new ArgumentException("help");
                default:
                    if (a.StartsWith('-') || o.Directory.Length > 0)
                    {
                        throw new ArgumentException($"unexpected argument '{a}'");
                    }

                    o.Directory = a;
                    break;
            }
        }

        if (o.Directory.Length == 0)
        {
            throw new ArgumentException("DIR is required");
        }

        if (!System.IO.Directory.Exists(o.Directory))
        {
            throw new ArgumentException($"{o.Directory} is not a directory");
        }

        o.MaxIo = Math.Min(o.MaxIo, o.MaxSize);
        return o;
    }
}
