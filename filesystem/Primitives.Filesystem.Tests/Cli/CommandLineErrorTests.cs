using Primitives.Filesystem.Cli;

namespace Primitives.Filesystem.Tests.Cli;

public class CommandLineErrorTests
{
    [Fact]
    public async Task MissingImageIsAClearErrorWithoutStackTrace()
    {
        var (code, output) = await CliHarness.RunAsync("fsck", "/nonexistent/fs-image.img");
        Assert.Equal(ExitCodes.FilesystemError, code);
        Assert.Contains("no such image file or device", output);
        Assert.DoesNotContain("   at ", output);
    }

    [Fact]
    public async Task BadSizeIsAUsageError()
    {
        string dir = Directory.CreateTempSubdirectory("fs-cli-").FullName;
        try
        {
            var (code, output) = await CliHarness.RunAsync("format", Path.Combine(dir, "x.img"), "--size", "12Q");
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Contains("is not a size", output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Fact]
    public async Task ImageThatIsNotAFilesystemIsRefusedWithATypedMessage()
    {
        string dir = Directory.CreateTempSubdirectory("fs-cli-").FullName;
        try
        {
            string image = Path.Combine(dir, "blank.img");
            File.WriteAllBytes(image, new byte[4 << 20]);
            var (code, output) = await CliHarness.RunAsync("dump", image);
            Assert.Equal(ExitCodes.FilesystemError, code);
            Assert.Contains("blank", output);
            Assert.DoesNotContain("   at ", output);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
