using System.Collections.Concurrent;
using System.Text;

namespace Primitives.Coyote.BugZoo;

/// <summary>One bug-zoo result: the mutant, how Coyote found it, and the baseline that passed.</summary>
public sealed record BugZooRow(string Mutant, string Bug, CoyoteRun Found, int BaselineIterations, double BaselineSeconds);

/// <summary>
/// Collects the zoo's results and, when the test collection ends, writes them as a markdown table
/// to <c>artifacts/coyote/bug-zoo.md</c> (under the repository root) for the README.
/// </summary>
public sealed class BugZooTable : IDisposable
{
    private readonly ConcurrentDictionary<string, BugZooRow> _rows = new(StringComparer.Ordinal);

    public static string Path => System.IO.Path.Combine(System.IO.Path.GetDirectoryName(CoyoteRunner.TracesDirectory)!, "..", "artifacts", "coyote", "bug-zoo.md");

    public void Add(BugZooRow row) => _rows[row.Mutant] = row;

    public string ToMarkdown()
    {
        var builder = new StringBuilder();
        builder.AppendLine("| mutant (historical bug) | found in | strategy, seed | no mutant |");
        builder.AppendLine("|---|---|---|---|");
        foreach (BugZooRow row in _rows.Values.OrderBy(r => r.Mutant, StringComparer.Ordinal))
        {
            builder.AppendLine($"| `{row.Mutant}`: {row.Bug} | {row.Found.Iterations} iterations / {row.Found.Elapsed.TotalSeconds:0.00} s | {row.Found.Strategy.Name}, {row.Found.Strategy.Seed} | passes {row.BaselineIterations} iterations ({row.BaselineSeconds:0.0} s) |");
        }

        return builder.ToString();
    }

    public void Dispose()
    {
        if (_rows.IsEmpty)
        {
            return;
        }

        string path = System.IO.Path.GetFullPath(Path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        File.WriteAllText(path, this.ToMarkdown());
        Console.WriteLine($"bug zoo table: {path}");
        Console.WriteLine(this.ToMarkdown());
    }
}

[CollectionDefinition(Name)]
public sealed class BugZooCollection : ICollectionFixture<BugZooTable>
{
    public const string Name = "bug zoo";
}
