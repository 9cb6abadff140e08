using Primitives.Filesystem.Cli;

namespace Primitives.Filesystem.Tests.Cli;

public class CommandTests
{
    [Fact]
    public async Task DemoOnItsDefaultTemporaryImagePassesAndPrintsTheNumbers()
    {
        var (code, output) = await CliHarness.RunAsync("demo", "--transactions", "60", "--size", "64M");
        Assert.True(code == ExitCodes.Ok, output);
        Assert.Contains("demo passed", output);
        Assert.Contains("engine.commit", output);
        Assert.Contains("engine.flush", output);
        Assert.Contains("replayed", output);
        Assert.Contains("clean: no problem found", output);
    }

    [Fact]
    public async Task FormatFsckDumpOnAnImageFile()
    {
        string dir = Directory.CreateTempSubdirectory("fs-cli-").FullName;
        try
        {
            string image = Path.Combine(dir, "fs.img");
            var (code, output) = await CliHarness.RunAsync("format", image, "--size", "32M", "--bucket-size", "64K", "--node-size", "16K", "--journal-buckets", "4");
            Assert.True(code == ExitCodes.Ok, output);
            Assert.Contains("formatted", output);

            (code, output) = await CliHarness.RunAsync("fsck", image);
            Assert.True(code == ExitCodes.Ok, output);
            Assert.Contains("clean", output);

            (code, output) = await CliHarness.RunAsync("dump", image, "--keys", "2");
            Assert.True(code == ExitCodes.Ok, output);
            Assert.Contains("Alloc", output);
            Assert.Contains("bucket size", output);

            // Formatting over an existing filesystem is refused without a clear error trace.
            (code, output) = await CliHarness.RunAsync("format", image);
            Assert.Equal(ExitCodes.FilesystemError, code);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
