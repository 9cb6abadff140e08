using System.Text;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// A results file that benchmarks write beside BenchmarkDotNet's own reports: <c>STEM.csv</c> and
/// <c>STEM.md</c> in the folder named by <see cref="DirectoryVariable"/> (the host sets it to the
/// artifacts' <c>results</c> folder, so <c>bench/run.sh</c> files them with the reports). Each
/// benchmark case writes one row from its [GlobalCleanup], in its own process; a row whose key
/// columns match an existing one replaces it, so a rerun updates the file instead of duplicating.
/// </summary>
/// <remarks>Not thread-safe, and not safe across processes running at once: BenchmarkDotNet runs cases one after another.</remarks>
internal sealed class ResultTable
{
    /// <summary>The environment variable that names the folder (set by <see cref="Program"/> before any case runs).</summary>
    public const string DirectoryVariable = "PRIMITIVES_BENCH_RESULTS";

    private readonly string _stem;
    private readonly string _title;
    private readonly string[] _columns;
    private readonly int _keyColumns;

    /// <param name="stem">File name without extension, e.g. <c>handoff-latency</c>.</param>
    /// <param name="title">The markdown heading and the description under it.</param>
    /// <param name="keyColumns">The leading columns that identify a case.</param>
    /// <param name="columns">Every column name, key columns first.</param>
    public ResultTable(string stem, string title, int keyColumns, params string[] columns)
    {
        _stem = stem;
        _title = title;
        _keyColumns = keyColumns;
        _columns = columns;
    }

    /// <summary>The folder the files go to.</summary>
    public static string Folder =>
        Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } dir
            ? dir
            : Path.Combine(Path.GetTempPath(), "primitives-bench-results");

    /// <summary>Adds or replaces the row with the same key and rewrites both files.</summary>
    public void Upsert(params string[] cells)
    {
        if (cells.Length != _columns.Length)
        {
            throw new ArgumentException($"{cells.Length} cells for {_columns.Length} columns", nameof(cells));
        }

        Directory.CreateDirectory(Folder);
        string csvPath = Path.Combine(Folder, _stem + ".csv");
        var rows = new List<string[]>();
        if (File.Exists(csvPath))
        {
            rows.AddRange(File.ReadAllLines(csvPath).Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')));
        }

        rows.RemoveAll(r => r.Length == cells.Length && r.Take(_keyColumns).SequenceEqual(cells.Take(_keyColumns)));
        rows.Add(cells);

        var csv = new StringBuilder().AppendLine(string.Join(',', _columns));
        foreach (var row in rows)
        {
            csv.AppendLine(string.Join(',', row));
        }

        File.WriteAllText(csvPath, csv.ToString());

        var md = new StringBuilder().AppendLine(_title).AppendLine();
        md.AppendLine("| " + string.Join(" | ", _columns) + " |");
        md.AppendLine("|" + string.Concat(_columns.Select((_, i) => i < _keyColumns ? "---|" : "---:|")));
        foreach (var row in rows)
        {
            md.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        File.WriteAllText(Path.Combine(Folder, _stem + ".md"), md.ToString());
    }

    /// <summary>Makes a cell CSV-safe (no commas or line breaks).</summary>
    public static string Cell(string text) => text.Replace(',', ';').Replace('\n', ' ');
}
