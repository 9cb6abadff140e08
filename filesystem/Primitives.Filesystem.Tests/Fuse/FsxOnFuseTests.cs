using Primitives.Filesystem.Fsx;

namespace Primitives.Filesystem.Tests.Fuse;

public class FsxOnFuseTests
{
    [Fact]
    public void FsxFindsNoMismatchOnTheMount()
    {
        using var m = new MountFixture();
        long ops = 0;
        m.RunBounded(() => ops = new FsxRunner(FsxOptions.For(m.Path, ops: 2000, seed: 11, maxSize: 256 * 1024), TextWriter.Null).Run());
        Assert.Equal(2000, ops);
        Assert.Equal(0, m.Mount.UnexpectedErrors);
        Assert.Empty(Directory.EnumerateFileSystemEntries(m.Path));
    }

    [Fact]
    public void FsxCatchesAFilesystemThatCorruptsData()
    {
        // The same run over a data store that flips a byte in every read after the first 50: fsx
        // must report a mismatch (a checker that cannot fail proves nothing).
        using var m = new MountFixture(data => new CorruptingDataStore(data, healthyReads: 50));
        var runner = new FsxRunner(FsxOptions.For(m.Path, ops: 2000, seed: 11, maxSize: 256 * 1024), TextWriter.Null);
        FsxMismatchException? caught = null;
        m.RunBounded(() => caught = Assert.Throws<FsxMismatchException>(() => runner.Run()));
        Assert.Contains("first bad byte", caught!.Message + " ", StringComparison.Ordinal);
        Assert.Contains("seed 11", runner.Report(), StringComparison.Ordinal);
    }
}
