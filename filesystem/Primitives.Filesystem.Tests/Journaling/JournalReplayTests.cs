using System.Buffers.Binary;
using Primitives.Filesystem.Journaling;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>Recovery: torn entries end the range, damage inside it is reported with seq and offset.</summary>
public sealed class JournalReplayTests
{
    /// <summary>Writes flush entries with ids 1..count, one entry each, all pinned so replay needs them all.</summary>
    private static async Task<(TestBlockDevice Device, JournalRegion[] Regions, Journal Journal, long[] Seqs)> WriteFlushedEntries(int count)
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        var seqs = new long[count];
        var pin = new ManualPin();
        for (int i = 0; i < count; i++)
        {
            seqs[i] = Commit(journal, i + 1, length: 600);
            if (i == 0)
            {
                journal.PinAdd(pin, seqs[0]);
            }

            await journal.FlushAsync(seqs[i]);
        }

        return (device, regions, journal, seqs);
    }

    private static async Task<JournalEntry> EntryOf(TestBlockDevice device, JournalRegion[] regions, long seq) =>
        (await Replay(device, regions)).Entries.Single(e => e.Seq == seq);

    [Fact]
    public async Task TornNewestEntryEndsTheRangeAtTheFlushEntryBeforeIt()
    {
        var (device, regions, _, seqs) = await WriteFlushedEntries(5);
        JournalEntry last = await EntryOf(device, regions, seqs[^1]);

        // A torn write: only the first block of the newest entry reached the disk.
        Array.Clear(device.Data, (int)last.DeviceOffset + Block, last.Length - Block);

        JournalReplay replay = await Replay(device, regions);
        Assert.Equal([1L, 2L, 3L, 4L], Ids(replay));
        Assert.Equal(seqs[^2], replay.Newest!.Seq);
        Assert.Equal((seqs[^1], last.DeviceOffset), Assert.Single(replay.TornEntries));
        Assert.Equal(seqs[^1], replay.MaxSeenSeq);
    }

    [Fact]
    public async Task CorruptEntryInsideTheRangeIsReportedWithSeqAndOffset()
    {
        var (device, regions, _, seqs) = await WriteFlushedEntries(5);
        JournalEntry middle = await EntryOf(device, regions, seqs[2]);
        device.Data[middle.DeviceOffset + 200] ^= 0x40; // one flipped bit in a record

        var error = await Assert.ThrowsAsync<JournalChecksumException>(() => Replay(device, regions));
        Assert.Equal(seqs[2], error.Seq);
        Assert.Equal(middle.DeviceOffset, error.Offset);
        Assert.IsAssignableFrom<Primitives.Filesystem.Format.CorruptStructureException>(error);
        Assert.Equal("journal entry", error.Structure);
    }

    [Fact]
    public async Task MissingEntryInsideTheRangeIsReported()
    {
        var (device, regions, _, seqs) = await WriteFlushedEntries(5);
        JournalEntry middle = await EntryOf(device, regions, seqs[1]);
        Array.Clear(device.Data, (int)middle.DeviceOffset, middle.Length); // gone entirely

        var error = await Assert.ThrowsAsync<JournalChecksumException>(() => Replay(device, regions));
        Assert.Equal(seqs[1], error.Seq);
        Assert.Equal(-1, error.Offset);
    }

    [Fact]
    public async Task CorruptFlushEntryFollowedByNewerEntriesIsReportedNotTreatedAsTorn()
    {
        var (device, regions, journal, seqs) = await WriteFlushedEntries(3);
        Commit(journal, 99);
        journal.CloseCurrentEntry(); // a newer entry written without a flush
        SpinWait.SpinUntil(() => journal.WrittenSeq == journal.CurrentSeq, TimeSpan.FromSeconds(10));
        JournalEntry newestFlush = await EntryOf(device, regions, seqs[^1]);
        device.Data[newestFlush.DeviceOffset + 100] ^= 1;

        var error = await Assert.ThrowsAsync<JournalChecksumException>(() => Replay(device, regions));
        Assert.Equal(seqs[^1], error.Seq);
        Assert.Equal(newestFlush.DeviceOffset, error.Offset);
    }

    [Fact]
    public async Task EntriesOfAnotherJournalIdAreIgnored()
    {
        var (device, regions, _, _) = await WriteFlushedEntries(2);
        JournalReplay other = await Journal.ReadAsync(device, regions, Block, journalId: 12345);
        Assert.Null(other.Newest);
        Assert.Empty(other.Entries);
        Assert.Equal(0, other.MaxSeenSeq);
    }

    [Fact]
    public async Task EmptyDeviceReplaysNothingAndOpensFresh()
    {
        JournalRegion[] regions = Regions(2, 8192);
        var device = Device(regions);
        JournalReplay replay = await Replay(device, regions);
        Assert.Null(replay.Newest);
        Assert.Equal(0, replay.LastSeq);
        var journal = Journal.Open(device, regions, Block, Options(), replay);
        long seq = Commit(journal, 5);
        Assert.Equal(1, seq);
        await journal.FlushAsync(seq);
        Assert.Equal([5L], Ids(await Replay(device, regions)));
    }

    [Fact]
    public async Task HeaderFieldsAreLittleEndianAtTheDocumentedOffsets()
    {
        var (device, regions, _, seqs) = await WriteFlushedEntries(1);
        JournalEntry entry = await EntryOf(device, regions, seqs[0]);
        ReadOnlySpan<byte> raw = device.Data.AsSpan((int)entry.DeviceOffset, entry.Length);
        Assert.Equal("PRJSET01"u8.ToArray(), raw[..8].ToArray());
        Assert.Equal(0xF5_0001UL, BinaryPrimitives.ReadUInt64LittleEndian(raw[8..]));
        Assert.Equal(entry.Seq, BinaryPrimitives.ReadInt64LittleEndian(raw[16..]));
        Assert.Equal(entry.LastSeq, BinaryPrimitives.ReadInt64LittleEndian(raw[32..]));
        Assert.Equal(entry.Length, BinaryPrimitives.ReadInt32LittleEndian(raw[40..]));
        Assert.Equal(1u, BinaryPrimitives.ReadUInt32LittleEndian(raw[44..]) & 1);
        uint crc = Primitives.Filesystem.Format.Crc32C.Append(Primitives.Filesystem.Format.Crc32C.Append(uint.MaxValue, raw[..56]), raw[64..]);
        Assert.Equal(~crc, BinaryPrimitives.ReadUInt32LittleEndian(raw[56..]));
    }
}
