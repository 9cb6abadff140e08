using System.Globalization;
using System.Text;

namespace Primitives.Plots;

/// <summary>
/// A CSV file read whole: a header row and data rows, fields optionally double-quoted (as
/// BenchmarkDotNet writes values like <c>"1,234.5 ns"</c>). Lookup by column name.
/// </summary>
internal sealed class CsvTable
{
    private readonly Dictionary<string, int> _index;

    private CsvTable(string path, string[] header, List<string[]> rows)
    {
        Path = path;
        Header = header;
        Rows = rows;
        _index = header.Select((h, i) => (h, i)).GroupBy(p => p.h).ToDictionary(g => g.Key, g => g.First().i);
    }

    public string Path { get; }

    public string[] Header { get; }

    public List<string[]> Rows { get; }

    public static CsvTable Load(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.Length > 0).Select(Split).ToList();
        if (lines.Count == 0)
        {
            throw new InvalidDataException($"{path}: empty CSV file");
        }

        return new CsvTable(path, lines[0], lines.Skip(1).ToList());
    }

    public bool Has(string column) => _index.ContainsKey(column);

    public string Get(string[] row, string column) =>
        _index.TryGetValue(column, out int i) && i < row.Length
            ? row[i]
            : throw new InvalidDataException($"{Path}: no column '{column}'");

    public double Number(string[] row, string column)
    {
        string text = Get(row, column);
        return double.TryParse(text.Replace(",", string.Empty), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v
            : throw new InvalidDataException($"{Path}: '{text}' in column '{column}' is not a number");
    }

    /// <summary>
    /// A BenchmarkDotNet time cell in nanoseconds: <c>"1,234.56 ns"</c>, <c>"12.3 μs"</c> (or us),
    /// <c>"4.5 ms"</c>, <c>"1.2 s"</c>, or a bare number taken as nanoseconds.
    /// </summary>
    public double Nanoseconds(string[] row, string column)
    {
        string text = Get(row, column).Trim();
        (string number, double scale) = text switch
        {
            _ when text.EndsWith(" ns", StringComparison.Ordinal) => (text[..^3], 1.0),
            _ when text.EndsWith(" μs", StringComparison.Ordinal) || text.EndsWith(" us", StringComparison.Ordinal) => (text[..^3], 1e3),
            _ when text.EndsWith(" ms", StringComparison.Ordinal) => (text[..^3], 1e6),
            _ when text.EndsWith(" s", StringComparison.Ordinal) => (text[..^2], 1e9),
            _ => (text, 1.0),
        };
        return double.TryParse(number.Replace(",", string.Empty), NumberStyles.Float, CultureInfo.InvariantCulture, out double v)
            ? v * scale
            : throw new InvalidDataException($"{Path}: '{text}' in column '{column}' is not a time");
    }

    // One CSV line: commas separate fields; a field may be double-quoted, with "" for a quote.
    private static string[] Split(string line)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return [.. fields];
    }
}
