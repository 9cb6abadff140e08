using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

public class FreezeTests
{
    [Fact]
    public async Task FreezeBlocksWritersUntilUnfreezeAndLosesNothing()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            EngineFixture.Put(fs, BtreeId.Xattrs, 0, 50); // committed, not flushed: freeze must make it durable
            await fs.FreezeAsync();
            Assert.True(fs.IsFrozen);
            long writes = device.WriteCount;

            var blocked = Task.Run(() => EngineFixture.Put(fs, BtreeId.Xattrs, 50, 10));
            var blockedData = fs.Data.WriteAsync(new byte[4096]).AsTask();
            await Task.Delay(50);
            Assert.False(blocked.IsCompleted);
            Assert.False(blockedData.IsCompleted);
            Assert.Equal(writes, device.WriteCount); // frozen: nothing reaches the device
            EngineFixture.AssertPresent(fs, BtreeId.Xattrs, 0, 50); // reads work

            // A crash image taken while frozen holds everything committed before the freeze.
            var frozenImage = device.Clone();
            fs.Unfreeze();
            await fs.KeyValues.FlushAsync(await blocked.WaitAsync(TimeSpan.FromSeconds(10)));
            await blockedData.WaitAsync(TimeSpan.FromSeconds(10));
            await fs.UnmountAsync();

            await using var crashed = await FileSystem.MountAsync(frozenImage, EngineFixture.Quiet);
            EngineFixture.AssertPresent(crashed, BtreeId.Xattrs, 0, 50);
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            EngineFixture.AssertPresent(fs, BtreeId.Xattrs, 0, 60);
            await fs.UnmountAsync();
        }
    }

    [Fact]
    public async Task FreezeInRefuseModeThrowsTypedErrorAndUnfreezeResumes()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet with { WaitWhenFrozen = false });
        await fs.FreezeAsync();
        Assert.Throws<FilesystemFrozenException>(() => EngineFixture.Put(fs, BtreeId.Inodes, 0, 1));
        await Assert.ThrowsAsync<FilesystemFrozenException>(() => fs.Data.WriteAsync(new byte[10]).AsTask());
        await Assert.ThrowsAsync<InvalidOperationException>(() => fs.FreezeAsync());
        fs.Unfreeze();
        await fs.KeyValues.FlushAsync(EngineFixture.Put(fs, BtreeId.Inodes, 0, 1));
        EngineFixture.AssertPresent(fs, BtreeId.Inodes, 0, 1);
        Assert.Throws<InvalidOperationException>(() => fs.Unfreeze());
        await fs.UnmountAsync();
    }
}
