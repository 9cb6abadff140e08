using System.Diagnostics;

namespace Primitives.Filesystem.Tests.Devices;

/// <summary>
/// A real loop device over a sparse temporary image (<c>losetup -f --show</c>), detached on dispose;
/// its detach command is also appended to the repository's <c>artifacts/cleanup.sh</c> so test.sh
/// detaches it even if the test process dies. Needs root and /dev/loop-control: otherwise
/// <see cref="Create"/> throws with a clear message (the test fails, it is never skipped).
/// </summary>
internal sealed class LoopDevice : IDisposable
{
    private readonly TempImage _image;

    private LoopDevice(TempImage image, string path)
    {
        _image = image;
        Path = path;
    }

    public string Path { get; }

    public string ImagePath => _image.Path;

    public static LoopDevice Create(long size)
    {
        if (Environment.UserName != "root" && !IsRoot())
        {
            throw new InvalidOperationException("loop-device tests need root (losetup); run the tests as root");
        }

        if (!File.Exists("/dev/loop-control"))
        {
            throw new InvalidOperationException("loop-device tests need /dev/loop-control (the loop driver); it is missing on this machine");
        }

        var image = new TempImage(size);
        try
        {
            string path = Run("losetup", $"-f --show {image.Path}").Trim();
            if (!path.StartsWith("/dev/loop", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"losetup printed '{path}', not a loop device");
            }

            // Detach by backing file, not by name: once this test detached its device, the same
            // /dev/loopN may belong to someone else's test by the time cleanup.sh runs.
            RegisterCleanup($"for d in $(losetup -j {image.Path} -n -O NAME 2>/dev/null); do losetup -d \"$d\" 2>/dev/null; done; rm -rf {image.Directory}");
            return new LoopDevice(image, path);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        try
        {
            Run("losetup", $"-d {Path}");
        }
        finally
        {
            _image.Dispose();
        }
    }

    private static bool IsRoot()
    {
        try
        {
            return Run("id", "-u").Trim() == "0";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return false;
        }
    }

    private static void RegisterCleanup(string line)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Primitives.sln")))
            {
                string artifacts = System.IO.Path.Combine(dir.FullName, "artifacts");
                System.IO.Directory.CreateDirectory(artifacts);
                File.AppendAllText(System.IO.Path.Combine(artifacts, "cleanup.sh"), line + Environment.NewLine);
                return;
            }
        }
    }

    private static string Run(string file, string arguments)
    {
        var info = new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true };
        using Process process = Process.Start(info) ?? throw new InvalidOperationException($"could not start {file}");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file} {arguments} failed with exit code {process.ExitCode}: {error.Trim()}");
        }

        return output;
    }
}
