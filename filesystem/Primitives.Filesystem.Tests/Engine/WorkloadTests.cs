using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Engine;

public class WorkloadTests
{
    [Fact]
    public async Task ConcurrentWorkloadOnMemoryVerifiesAfterCleanAndUncleanRemount()
    {
        // The default journal geometry (8 x 256 KiB): the 4 x 64 KiB test journal can still stall
        // under concurrent fsyncs on a loaded machine (see NOTES-fs-core.md, known gaps).
        var device = new MemoryBlockDevice(64 << 20);
        await FileSystem.FormatAsync(device, new FormatOptions { BucketSize = 256 * 1024, BtreeNodeSize = 64 * 1024, JournalBuckets = 8 });
        var options = new WorkloadOptions { Threads = 2, TransactionsPerThread = 150, DataSize = 4096 };
        WorkloadResult result;
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            result = await EngineFixture.RunWorkloadAsync(fs, options);
            Assert.Equal(options.Threads * 150, result.Commits);
            await fs.UnmountAsync();
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.Empty(await Workload.VerifyAsync(fs.KeyValues, fs.Data, result.Durable, result.Deletes));
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.False(fs.Mount.WasClean);
            Assert.Empty(await Workload.VerifyAsync(fs.KeyValues, fs.Data, result.Durable, result.Deletes));
            await fs.UnmountAsync();
        }
    }
}
