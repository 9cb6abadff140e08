using System.Diagnostics;
using System.Reflection;

namespace ContentionTrace.Tests;

/// <summary>Runs the built ContentionTrace sample (same configuration as these tests) and captures its output.</summary>
internal static class SampleProcess
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    public static string SamplePath
    {
        get
        {
            // bin/<Configuration>/net10.0 of this project -> the same folder of the sample.
            var here = new DirectoryInfo(Path.GetDirectoryName(Assembly.GetExecutingAssembly().Location)!);
            string tfm = here.Name;
            string configuration = here.Parent!.Name;
            var root = here;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "Primitives.sln")))
            {
                root = root.Parent;
            }

            Assert.NotNull(root);
            string path = Path.Combine(root.FullName, "samples", "ContentionTrace", "bin", configuration, tfm, "ContentionTrace.dll");
            Assert.True(File.Exists(path), $"the sample is not built: {path}");
            return path;
        }
    }

    public static (int ExitCode, string Stdout, string Stderr) Run(params string[] args)
    {
        var start = new ProcessStartInfo(Environment.ProcessPath is { } p && Path.GetFileNameWithoutExtension(p) == "dotnet" ? p : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(SamplePath);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Patience))
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"ContentionTrace {string.Join(' ', args)} did not finish in {Patience}");
        }

        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
