using System.Diagnostics;

namespace Primitives.Filesystem.Tests.Engine;

/// <summary>
/// A loop device over a temporary backing file for one test: attached with <c>losetup -f --show</c>,
/// registered in artifacts/cleanup.sh, detached on dispose. Fails (never skips) without root or loop support.
/// </summary>
internal sealed class LoopDevice : IDisposable
{
    private readonly string _dir;

    private LoopDevice(string dir, string path)
    {
        _dir = dir;
        Path = path;
    }

    public string Path { get; }

    public static LoopDevice Create(long size)
    {
        Assert.True(Environment.UserName == "root" || Run("id", "-u").Trim() == "0", "loop device tests need root (losetup); run the tests as root");
        Assert.True(File.Exists("/dev/loop-control"), "/dev/loop-control is missing: this machine cannot create loop devices");
        string dir = Directory.CreateTempSubdirectory("fs-loop-").FullName;
        string backing = System.IO.Path.Combine(dir, "backing.img");
        using (var f = File.Create(backing))
        {
            f.SetLength(size);
        }

        string dev = Run("losetup", "-f", "--show", backing).Trim();
        Assert.StartsWith("/dev/loop", dev);
        RegisterCleanup($"losetup -d {dev} 2>/dev/null; rm -rf {dir}");
        return new LoopDevice(dir, dev);
    }

    public void Dispose()
    {
        try
        {
            Run("losetup", "-d", Path);
        }
        finally
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static void RegisterCleanup(string line)
    {
        string? dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir, "test.sh")))
        {
            dir = System.IO.Path.GetDirectoryName(dir);
        }

        if (dir is not null)
        {
            string artifacts = System.IO.Path.Combine(dir, "artifacts");
            Directory.CreateDirectory(artifacts);
            File.AppendAllText(System.IO.Path.Combine(artifacts, "cleanup.sh"), line + Environment.NewLine);
        }
    }

    private static string Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string output = p.StandardOutput.ReadToEnd();
        string error = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{file} {string.Join(' ', args)} failed ({p.ExitCode}): {error}");
        return output;
    }
}
