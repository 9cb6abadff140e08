using System.Globalization;

using Primitives.Filesystem.Fuse.Native;

namespace Primitives.Filesystem.Tests.Fuse;

public class FuseLayoutTests
{
    [Fact]
    public void ManagedStructsMatchTheInstalledHeaders()
    {
        string source = Path.Combine(AppContext.BaseDirectory, "Fuse", "fuse_layout.c");
        Assert.True(File.Exists(source), $"{source} was not copied to the test output");
        Assert.True(File.Exists("/usr/include/fuse3/fuse_lowlevel.h"), "libfuse3 headers are missing: apt-get install -y libfuse3-dev (test.sh installs it)");
        string exe = Path.Combine(Path.GetTempPath(), $"fuse_layout_{Environment.ProcessId}");
        try
        {
            var (cc, ccOut) = NativeTools.Run("gcc", "-Wall", "-I/usr/include/fuse3", source, "-o", exe);
            Assert.True(cc == 0, $"gcc failed:\n{ccOut}");
            var (rc, output) = NativeTools.Run(exe);
            Assert.Equal(0, rc);
            var native = output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .ToDictionary(parts => string.Join(' ', parts[..^1]), parts => long.Parse(parts[^1], CultureInfo.InvariantCulture));
            var managed = FuseLayout.Describe();
            Assert.Equal(native.Keys.Order(), managed.Keys.Order());
            var mismatches = native.Where(kv => managed[kv.Key] != kv.Value).Select(kv => $"{kv.Key}: C {kv.Value}, C# {managed[kv.Key]}").ToList();
            Assert.True(mismatches.Count == 0, "layout mismatches:\n" + string.Join('\n', mismatches));
            Assert.Equal(44, native.Keys.Count(k => k.StartsWith("fuse_lowlevel_ops.", StringComparison.Ordinal)));
        }
        finally
        {
            File.Delete(exe);
        }
    }
}
