using System.Buffers.Binary;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Tests.Devices;

namespace Primitives.Filesystem.Tests.Format;

public sealed class FormatterTests
{
    [Fact]
    public async Task FormatZeroesTheJournalAndWritesTheSuperblockLast()
    {
        var inner = new MemoryBlockDevice(4L * 1024 * 1024);
        inner.Write(64 * 1024, DeviceChecks.Pattern(128 * 1024, 5)); // garbage in the journal buckets
        var device = new RecordingBlockDevice(inner);
        Superblock written = await Formatter.FormatAsync(device, FormatTestData.SmallOptions);

        byte[] journal = new byte[128 * 1024];
        inner.Read(64 * 1024, journal);
        Assert.True(journal.AsSpan().IndexOfAnyExcept((byte)0) < 0);

        // No crash state before the superblock's own epoch holds a readable filesystem.
        foreach (CrashState state in device.EnumerateCrashStates(0, 0).Where(s => s.Epoch == 0))
        {
            await Assert.ThrowsAsync<ForeignFilesystemException>(async () => await SuperblockIO.ReadAsync(state.Materialize()));
        }

        Assert.Equal(written, (await SuperblockIO.ReadAsync(inner)).Superblock);
        Assert.Equal(FormatTestData.SmallOptions.Uuid, written.Uuid);
    }

    [Fact]
    public async Task TheEngineHookRunsBeforeTheSuperblockAndItsResultIsWritten()
    {
        var device = new MemoryBlockDevice(4L * 1024 * 1024);
        bool superblockPresentDuringHook = true;
        FormatOptions options = FormatTestData.SmallOptions with
        {
            Initialize = async (dev, sb, ct) =>
            {
                byte[] primary = new byte[512];
                await dev.ReadAsync(4096, primary, ct);
                superblockPresentDuringHook = Superblock.HasMagic(primary);
                return sb with { CleanSection = new byte[] { 7, 7, 7 } };
            },
        };
        await Formatter.FormatAsync(device, options);
        Assert.False(superblockPresentDuringHook);
        Assert.Equal(new byte[] { 7, 7, 7 }, (await SuperblockIO.ReadAsync(device)).Superblock.CleanSection.ToArray());
    }

    [Fact]
    public async Task FormatRefusesAnotherFilesystemUnlessForced()
    {
        var device = new MemoryBlockDevice(4L * 1024 * 1024);
        device.Write(0, "XFSB"u8.ToArray().Concat(new byte[508]).ToArray());
        ForeignFilesystemException refused = await Assert.ThrowsAsync<ForeignFilesystemException>(async () => await Formatter.FormatAsync(device, FormatTestData.SmallOptions));
        Assert.Contains("XFS", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, device.WriteCount);

        await Formatter.FormatAsync(device, FormatTestData.SmallOptions with { Force = true });
        Assert.False((await SuperblockIO.ReadAsync(device)).FromBackup);
        byte[] probe = new byte[FilesystemSignatures.ProbeLength];
        device.Read(0, probe);
        Assert.Null(FilesystemSignatures.Detect(probe)); // the XFS signature was wiped with bucket 0
    }

    [Fact]
    public void ImpossibleGeometriesAreRejected()
    {
        var small = new MemoryBlockDevice(256 * 1024);
        ArgumentException tooSmall = Assert.Throws<ArgumentException>(() => Formatter.Plan(small, FormatTestData.SmallOptions));
        Assert.Contains("needs at least", tooSmall.Message, StringComparison.Ordinal);
        var device = new MemoryBlockDevice(4L * 1024 * 1024, logicalBlockSize: 4096);
        Assert.Throws<ArgumentException>(() => Formatter.Plan(device, FormatTestData.SmallOptions with { BlockSize = 2048 }));
        Assert.Throws<ArgumentException>(() => Formatter.Plan(device, FormatTestData.SmallOptions with { JournalBuckets = 0 }));
    }

    [Fact]
    public async Task FormatAndReadOnAnImageFile()
    {
        using var image = new TempImage(8L * 1024 * 1024);
        using (FileBlockDevice device = FileBlockDevice.Open(image.Path))
        {
            await Formatter.FormatAsync(device, FormatTestData.SmallOptions);
        }

        using FileBlockDevice reopened = FileBlockDevice.Open(image.Path, new FileBlockDeviceOptions { ReadOnly = true });
        SuperblockReadResult read = await SuperblockIO.ReadAsync(reopened);
        Assert.Equal(128, read.Superblock.BucketCount);
        Assert.False(read.FromBackup);
    }

    [Fact]
    public async Task FormatAndReadOnALoopDevice()
    {
        using LoopDevice loop = LoopDevice.Create(32L * 1024 * 1024);
        using (FileBlockDevice device = FileBlockDevice.Open(loop.Path))
        {
            await Formatter.FormatAsync(device, FormatTestData.SmallOptions);
        }

        using FileBlockDevice reopened = FileBlockDevice.Open(loop.Path);
        SuperblockReadResult read = await SuperblockIO.ReadAsync(reopened);
        Assert.Equal(512, read.Superblock.BucketCount);
        Assert.Equal(FormatTestData.SmallOptions.Uuid, read.Superblock.Uuid);
    }
}
