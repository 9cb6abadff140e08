using System.Buffers.Binary;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Tests.Devices;

namespace Primitives.Filesystem.Tests.Format;

public sealed class SuperblockIOTests
{
    [Fact]
    public async Task AFreshFormatReadsBackFromThePrimary()
    {
        (MemoryBlockDevice device, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        Assert.Equal(1ul, written.Sequence);
        Assert.Equal(64, written.BucketCount);
        Assert.Equal(3, written.FirstDataBucket);
        Assert.Equal([1L, 2L], written.JournalBuckets);

        SuperblockReadResult read = await SuperblockIO.ReadAsync(device);
        Assert.Equal(written, read.Superblock);
        Assert.Equal(4096, read.Offset);
        Assert.False(read.FromBackup);
        Assert.Empty(read.Problems);
    }

    [Fact]
    public async Task EveryWriteIncrementsTheSequenceAndUpdatesAllCopies()
    {
        (MemoryBlockDevice device, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        Superblock second = await SuperblockIO.WriteAsync(device, written with { IsClean = false, CleanSection = default });
        Assert.Equal(2ul, second.Sequence);
        byte[] backup = new byte[Superblock.Size];
        device.Read(second.BackupOffset, backup);
        Assert.Equal(second, Superblock.Decode(backup, second.BackupOffset));
        Assert.Equal(second, (await SuperblockIO.ReadAsync(device)).Superblock);
    }

    [Fact]
    public async Task WritesAreOrderedPrimaryFlushBackupFlush()
    {
        (MemoryBlockDevice inner, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        var recording = new RecordingBlockDevice(inner);
        await SuperblockIO.WriteAsync(recording, written);
        Assert.Equal([1, 1, 0], recording.EpochSizes);
        Assert.Equal(0, recording.Writes[0].Offset);
        Assert.Equal(written.BackupOffset, recording.Writes[1].Offset);

        // Every crash state holds a valid superblock, the old or the new one, even with the
        // 8 KiB head write (layout + primary) or the backup torn part-way.
        int states = 0;
        foreach (CrashState state in recording.EnumerateCrashStates(4, 3, tornWrites: true))
        {
            SuperblockReadResult read = await SuperblockIO.ReadAsync(state.Materialize());
            Assert.True(read.Superblock.Sequence is 1 or 2, state.Description);
            Assert.True(read.Superblock.Sequence == 2 || state.Epoch == 0, state.Description); // once the primary's flush started, the new one wins
            states++;
        }

        Assert.Equal(5, states); // epoch 0: prefixes 0, 1 and the torn head; epoch 1: prefix 1 and the torn backup
    }

    [Fact]
    public async Task ADamagedPrimaryFallsBackToTheBackupAndSaysSo()
    {
        (MemoryBlockDevice device, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        FormatTestData.FlipByte(device, 4096 + 60);
        SuperblockReadResult read = await SuperblockIO.ReadAsync(device);
        Assert.True(read.FromBackup);
        Assert.Equal(written.BackupOffset, read.Offset);
        Assert.Equal(written, read.Superblock);
        Assert.Contains(read.Problems, p => p.Contains("primary superblock at 4096 is damaged", StringComparison.Ordinal) && p.Contains("checksum mismatch", StringComparison.Ordinal));
        Assert.Contains(read.Problems, p => p.Contains($"using the backup superblock at {written.BackupOffset}", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WithTheLayoutBlockGoneTooTheBackupIsFoundByProbing()
    {
        (MemoryBlockDevice device, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        FormatTestData.FlipByte(device, 4096 + 60);
        FormatTestData.FlipByte(device, SuperblockLayout.Offset + 20);
        SuperblockReadResult read = await SuperblockIO.ReadAsync(device);
        Assert.True(read.FromBackup);
        Assert.Equal(written, read.Superblock);
        Assert.Contains(read.Problems, p => p.Contains("layout block is damaged too", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PrimaryAndBackupDamagedReportsTheChecksumMismatchWithItsOffset()
    {
        (MemoryBlockDevice device, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        FormatTestData.FlipByte(device, 4096 + 60);
        FormatTestData.FlipByte(device, written.BackupOffset + 60);
        ChecksumMismatchException error = await Assert.ThrowsAsync<ChecksumMismatchException>(async () => await SuperblockIO.ReadAsync(device));
        Assert.Equal(4096, error.Offset);
        Assert.Equal("superblock", error.Structure);
    }

    [Fact]
    public async Task AForeignFilesystemIsNamedAndNothingIsWritten()
    {
        var device = new MemoryBlockDevice(4L * 1024 * 1024);
        byte[] sector = new byte[512];
        BinaryPrimitives.WriteUInt16LittleEndian(sector.AsSpan(1080 - 1024), 0xEF53);
        device.Write(1024, sector);
        long writes = device.WriteCount;
        ForeignFilesystemException error = await Assert.ThrowsAsync<ForeignFilesystemException>(async () => await SuperblockIO.ReadAsync(device));
        Assert.Contains("ext2/3/4", error.Detected, StringComparison.Ordinal);
        Assert.Equal(writes, device.WriteCount);

        var blank = new MemoryBlockDevice(4L * 1024 * 1024);
        ForeignFilesystemException none = await Assert.ThrowsAsync<ForeignFilesystemException>(async () => await SuperblockIO.ReadAsync(blank));
        Assert.Contains("blank", none.Detected, StringComparison.Ordinal);
        Assert.Equal(0, blank.WriteCount);
    }

    [Fact]
    public async Task AForeignMagicInThePrimarySlotIsReportedWithTheMagic()
    {
        var device = new MemoryBlockDevice(4L * 1024 * 1024);
        device.Write(4096, "NOTOURS!"u8.ToArray().Concat(new byte[504]).ToArray());
        ForeignFilesystemException error = await Assert.ThrowsAsync<ForeignFilesystemException>(async () => await SuperblockIO.ReadAsync(device));
        Assert.Contains("NOTOURS!", error.Detected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ASuperblockLargerThanTheDeviceIsCorrupt()
    {
        (MemoryBlockDevice device, _) = await FormatTestData.FormattedMemoryDevice();
        var truncated = new MemoryBlockDevice(2L * 1024 * 1024);
        byte[] head = new byte[1024 * 1024];
        device.Read(0, head);
        truncated.Write(0, head);
        CorruptStructureException error = await Assert.ThrowsAsync<CorruptStructureException>(async () => await SuperblockIO.ReadAsync(truncated));
        Assert.Equal(4096, error.Offset);
        Assert.Contains("has only 2097152", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANewerVersionIsRefusedWithoutFallingBack()
    {
        (MemoryBlockDevice device, Superblock written) = await FormatTestData.FormattedMemoryDevice();
        device.Write(4096, SuperblockTests.NewerVersion(written));
        await Assert.ThrowsAsync<UnsupportedFormatVersionException>(async () => await SuperblockIO.ReadAsync(device));
    }
}
