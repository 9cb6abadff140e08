using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Tests.Devices;

namespace Primitives.Filesystem.Tests.Engine;

public class LoopDeviceMountTests
{
    [Fact]
    public async Task FormatMountUnmountRemountOnARealLoopDevice()
    {
        using var loop = LoopDevice.Create(64 << 20);
        WorkloadResult result;
        using (var device = FileBlockDevice.Open(loop.Path))
        {
            Assert.True(device.IsBlockDevice);
            await FileSystem.FormatAsync(device, EngineFixture.SmallFormat);
            await using (var fs = await FileSystem.MountAsync(device, MountOptions.Default))
            {
                result = await EngineFixture.RunWorkloadAsync(fs, new WorkloadOptions { Threads = 2, TransactionsPerThread = 80, DataSize = 5000 });
                await fs.UnmountAsync();
            }

            // The mount is exclusive: a second open of the device is refused while this one holds it.
            Assert.ThrowsAny<DeviceException>(() => FileBlockDevice.Open(loop.Path).Dispose());
        }

        using (var device = FileBlockDevice.Open(loop.Path))
        {
            await using (var fs = await FileSystem.MountAsync(device, MountOptions.Default))
            {
                Assert.True(fs.Mount.WasClean);
                Assert.Empty(await Workload.VerifyAsync(fs.KeyValues, fs.Data, result.Durable, result.Deletes));
                EngineFixture.Put(fs, BtreeId.Inodes, 0, 20);
                await fs.KeyValues.FlushAsync();

                // Dropped: the next mount replays.
            }

            await using (var fs = await FileSystem.MountAsync(device, MountOptions.Default))
            {
                Assert.False(fs.Mount.WasClean);
                EngineFixture.AssertPresent(fs, BtreeId.Inodes, 0, 20);
                await fs.UnmountAsync();
            }

            var report = await global::Primitives.Filesystem.Fsck.Fsck.RunAsync(device, global::Primitives.Filesystem.Fsck.FsckOptions.CheckOnly);
            Assert.True(report.IsClean, report.ToString());
        }
    }
}
