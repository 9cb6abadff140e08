using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Engine;

public class MountTests
{
    [Fact]
    public async Task FormatMountWriteUnmountRemountKeepsEverything()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.True(fs.Mount.WasClean);
            for (int batch = 0; batch < 20; batch++)
            {
                EngineFixture.Put(fs, BtreeId.Xattrs, batch * 50, 50);
            }

            await fs.KeyValues.FlushAsync();
            await fs.UnmountAsync();
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.True(fs.Mount.WasClean);
            EngineFixture.AssertPresent(fs, BtreeId.Xattrs, 0, 1000);
            await fs.UnmountAsync();
        }
    }

    [Fact]
    public async Task UncleanRemountReplaysFlushedCommits()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            ulong seq = 0;
            for (int i = 0; i < 600; i += 100)
            {
                seq = EngineFixture.Put(fs, BtreeId.Inodes, i, 100);
            }

            await fs.KeyValues.FlushAsync(seq);

            // Dropped without unmounting: a crash.
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.False(fs.Mount.WasClean);
            Assert.True(fs.Mount.JournalEntriesReplayed > 0);
            EngineFixture.AssertPresent(fs, BtreeId.Inodes, 0, 600);
            await fs.UnmountAsync();
        }
    }

    [Fact]
    public async Task DataWrittenAndReferencedSurvivesRemount()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        byte[] payload = EngineFixture.Value(99, 10000);
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            var pointer = await fs.Data.WriteAsync(payload);
            byte[] value = new byte[ExtentValue.Size];
            ExtentValue.Write(value, pointer);
            using (var tx = fs.KeyValues.Begin())
            {
                tx.Set(BtreeId.Extents, new Bpos(5, 10000), value);
                await fs.KeyValues.FlushAsync(tx.Commit());
            }
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            using var tx = fs.KeyValues.Begin();
            Assert.True(tx.TryGet(BtreeId.Extents, new Bpos(5, 10000), out var value));
            var pointer = ExtentValue.Read(value.Span);
            byte[] read = new byte[pointer.Length];
            await fs.Data.ReadAsync(pointer, read);
            Assert.Equal(payload, read);
            await fs.UnmountAsync();
        }
    }

    [Fact]
    public async Task MountRefusesABlankDeviceWithoutWriting()
    {
        var device = new MemoryBlockDevice(8 << 20);
        await Assert.ThrowsAsync<ForeignFilesystemException>(() => FileSystem.MountAsync(device, EngineFixture.Quiet));
        Assert.Equal(0, device.WriteCount);
    }

    [Fact]
    public async Task ReadOnlyMountNeverWritesAndRefusesCommits()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            await fs.KeyValues.FlushAsync(EngineFixture.Put(fs, BtreeId.Dirents, 0, 100));
        }

        long writes = device.WriteCount;
        await using (var ro = await FileSystem.MountAsync(device, EngineFixture.Quiet with { ReadOnly = true }))
        {
            EngineFixture.AssertPresent(ro, BtreeId.Dirents, 0, 100);
            Assert.Throws<FilesystemReadOnlyException>(() => EngineFixture.Put(ro, BtreeId.Dirents, 100, 1));
        }

        Assert.Equal(writes, device.WriteCount);
    }
}
