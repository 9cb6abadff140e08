// fsx: random file operations checked byte for byte against a model (see FsxRunner).
using Primitives.Filesystem.Fsx;

FsxOptions options;
try
{
    options = FsxOptions.Parse(args);
}
catch (ArgumentException e)
{
    if (e.Message != "help")
    {
        Console.Error.WriteLine($"fsx: {e.Message}");
    }

    Console.Error.WriteLine(FsxOptions.Usage);
    return 2;
}

var runner = new FsxRunner(options, Console.Out);
Console.WriteLine($"fsx: {options.Directory}, seed {options.Seed}, {(options.Duration is TimeSpan d ? $"{d.TotalSeconds} s" : $"{options.Ops} ops")}, {options.Files} files up to {options.MaxSize} bytes");
try
{
    long ops = runner.Run();
    Console.WriteLine($"fsx: {ops} ops, no mismatch (seed {options.Seed})");
    return 0;
}
catch (FsxMismatchException e)
{
    Console.Error.WriteLine($"fsx: MISMATCH: {e.Message}");
    Console.Error.WriteLine(runner.Report());
    return 1;
}
catch (Exception e) when (e is IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"fsx: I/O error: {e.Message}");
    Console.Error.WriteLine(runner.Report());
    return 2;
}
