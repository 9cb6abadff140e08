using Primitives.Plots;

// Usage: dotnet run --project bench/Primitives.Plots -- RESULTS_DIR [OUT_DIR]
// Reads every CSV under RESULTS_DIR (recursively: a bench/results/<date>-<label>/ folder with one
// subfolder per suite), writes PNG charts to OUT_DIR (default RESULTS_DIR/plots) and lists them.
// Exits 1 if it wrote no PNG (nothing recognised), 2 on bad arguments.
if (args.Length is < 1 or > 2 || !Directory.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Primitives.Plots RESULTS_DIR [OUT_DIR]   (RESULTS_DIR must exist)");
    return 2;
}

string results = args[0];
string outDir = args.Length > 1 ? args[1] : Path.Combine(results, "plots");
Directory.CreateDirectory(outDir);
Charts.Source = new DirectoryInfo(Path.GetFullPath(results)).Name;

var csvs = Directory.GetFiles(results, "*.csv", SearchOption.AllDirectories)
    .Where(p => !Path.GetFullPath(p).StartsWith(Path.GetFullPath(outDir) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
    .Order(StringComparer.Ordinal)
    .ToList();
var reports = csvs.Where(p => p.EndsWith("-report.csv", StringComparison.Ordinal)).Select(CsvTable.Load)
    .Where(t => t.Has("Type") && t.Has("Method") && t.Has("Mean")).ToList();

Charts.Mixes(reports, outDir);
Charts.PerCpuReaders(reports, outDir);
foreach (string path in csvs)
{
    switch (Path.GetFileName(path))
    {
        case "handoff-latency.csv":
            Charts.Handoff(CsvTable.Load(path), outDir);
            break;
        case "fairness-wait.csv":
            Charts.Fairness(CsvTable.Load(path), outDir);
            break;
        case "intent-with-readers.csv":
            Charts.IntentWithReaders(CsvTable.Load(path), outDir);
            break;
        case "fio.csv":
            Charts.FioAgainstExt4(CsvTable.Load(path), outDir);
            break;
    }
}

var written = Charts.Written.Where(p => File.Exists(p) && new FileInfo(p).Length > 0).ToList();
foreach (string png in written)
{
    Console.WriteLine(png);
}

Console.WriteLine($"{written.Count} PNG files in {outDir} from {csvs.Count} CSV files");
return written.Count > 0 ? 0 : 1;
