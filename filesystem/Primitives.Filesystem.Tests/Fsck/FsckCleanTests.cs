using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Fsck;
using Primitives.Filesystem.Tests.Engine;

namespace Primitives.Filesystem.Tests.Fsck;

public class FsckCleanTests
{
    [Fact]
    public async Task FreshFormatIsClean()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        var report = await global::Primitives.Filesystem.Fsck.Fsck.RunAsync(device, FsckOptions.CheckOnly);
        Assert.True(report.IsClean, report.ToString());
        Assert.True(report.Counts.Nodes >= 7);
    }

    [Fact]
    public async Task MountUnmountCycleStaysClean()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        for (int cycle = 0; cycle < 3; cycle++)
        {
            await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
            {
                EngineFixture.Put(fs, BtreeId.Xattrs, cycle * 100, 100);
                await fs.UnmountAsync();
            }

            var report = await global::Primitives.Filesystem.Fsck.Fsck.RunAsync(device, FsckOptions.CheckOnly);
            Assert.True(report.IsClean, $"cycle {cycle}: {report}");
        }
    }
}
