using System.Diagnostics;

namespace Primitives.Filesystem.Tests.Fuse;

/// <summary>Runs the native tools the FUSE tests need, failing with a clear message when one is missing.</summary>
internal static class NativeTools
{
    public static (int ExitCode, string Output) Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        Process p;
        try
        {
            p = Process.Start(psi)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Fail($"cannot run '{file}' ({e.Message}): the FUSE tests need gcc, fuse3 and libfuse3-dev (apt-get install -y gcc fuse3 libfuse3-dev)");
            throw;
        }

        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout + stderr.Result);
    }

    /// <summary>Fails unless the machine can mount FUSE filesystems (root, /dev/fuse, libfuse 3.14).</summary>
    public static void RequireFuse()
    {
        if (Environment.UserName != "root" && !string.Equals(Environment.GetEnvironmentVariable("USER"), "root", StringComparison.Ordinal))
        {
            Assert.Fail("the FUSE mount tests must run as root (they mount without fusermount3)");
        }

        if (!File.Exists("/dev/fuse"))
        {
            Assert.Fail("/dev/fuse is missing: the FUSE mount tests need the fuse module (modprobe fuse) or --device /dev/fuse");
        }

        Primitives.Filesystem.Fuse.FuseMount.CheckAvailable();
    }
}
