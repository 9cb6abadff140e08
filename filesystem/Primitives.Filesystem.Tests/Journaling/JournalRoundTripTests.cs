using Primitives.Filesystem.Journaling;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>Write, flush, read back: records, order, hook records, continuing after a replay, clean shutdown.</summary>
public sealed class JournalRoundTripTests
{
    [Fact]
    public async Task FlushedRecordsReplayInSequenceOrderWithHookRecords()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(hook: a => a.Add(200, BitConverter.GetBytes(a.Seq)), hookBytes: 32));
        var seqs = new List<long>();
        var dirty = new ManualPin(); // keeps every entry needed, as an unwritten btree node would
        for (long id = 1; id <= 40; id++)
        {
            seqs.Add(Commit(journal, id, length: 8 + (int)(id % 50)));
            if (id == 1)
            {
                journal.PinAdd(dirty, seqs[0]);
            }

            if (id % 7 == 0)
            {
                await journal.FlushAsync(seqs[^1]);
            }
        }

        await journal.FlushAsync(journal.CurrentSeq);
        Assert.Equal(journal.CurrentSeq, journal.DurableSeq);

        JournalReplay replay = await Replay(device, regions);
        Assert.Equal(Enumerable.Range(1, 40).Select(i => (long)i), Ids(replay));
        Assert.Equal(journal.CurrentSeq, replay.Newest!.Seq);
        Assert.Equal(1, replay.LastSeq);
        Assert.True(replay.Entries.Count >= 6);
        foreach (JournalEntry entry in replay.Entries)
        {
            JournalRecord hook = Assert.Single(entry.Records, r => r.Type == 200);
            Assert.Equal(entry.Seq, BitConverter.ToInt64(hook.Payload.Span));
            Assert.Equal(200, entry.Records[^1].Type); // the hook appends after the reservations
        }

        Assert.Equal(replay.Entries.Select(e => e.Seq).Order(), replay.Entries.Select(e => e.Seq));
        Assert.Empty(replay.TornEntries);
    }

    [Fact]
    public async Task JournalContinuesAfterReplayWithSequencesAboveEverythingSeen()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var first = Journal.Open(device, regions, Block, Options());
        var pin = new ManualPin();
        long pinned = Commit(first, 1);
        first.PinAdd(pin, pinned);
        Commit(first, 2);
        await first.FlushAsync(first.CurrentSeq);
        Commit(first, 3); // written without a flush (below): never durable, not replayed
        ForceNoFlushWrite(first);

        JournalReplay replay = await Replay(device, regions);
        Assert.Equal([1L, 2L], Ids(replay));
        Assert.Single(replay.IgnoredTail);
        Assert.Equal(pinned, replay.LastSeq);

        var second = Journal.Open(device, regions, Block, Options(), startAfter: replay);
        Assert.Equal(replay.MaxSeenSeq, second.CurrentSeq);
        Assert.Equal(pinned, second.LastSeq);
        long next = Commit(second, 4);
        Assert.True(next > replay.MaxSeenSeq);
        Assert.Equal(replay.LastSeq, second.LastSeq); // replayed sequences stay pinned until CompleteReplay
        await second.FlushAsync(next);

        JournalReplay again = await Replay(device, regions);
        Assert.Equal([1L, 2L, 4L], Ids(again));
        Assert.Equal(replay.Newest!.Seq, again.Entries[^1].PrevSeq); // the new entry links back over the skipped tail

        second.CompleteReplay();
        Assert.True(second.LastSeq > replay.Newest.Seq);
        Assert.Throws<InvalidOperationException>(second.CompleteReplay);
    }

    [Fact]
    public async Task CleanShutdownLeavesOneFinalEntryAndRefusesReservations()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        var pin = new ManualPin { OnFlush = (p, _) => { journal.PinDrop(p); return ValueTask.CompletedTask; } };
        long seq = Commit(journal, 1);
        journal.PinAdd(pin, seq);
        Commit(journal, 2);
        await journal.ShutdownAsync();

        Assert.Equal(1, pin.FlushRequests);
        Assert.Equal(0, pin.Seq);
        Assert.Throws<JournalShutdownException>(() => journal.Reserve(8));
        await Assert.ThrowsAsync<JournalShutdownException>(async () => await journal.ReserveAsync(8));
        await journal.ShutdownAsync(); // idempotent

        JournalReplay replay = await Replay(device, regions);
        JournalEntry final = Assert.Single(replay.Entries);
        Assert.Equal(final.Seq, final.LastSeq);
        Assert.Equal(journal.CurrentSeq, final.Seq);
    }

    /// <summary>Closes the open entry and waits for its write, without a flush.</summary>
    private static void ForceNoFlushWrite(Journal journal)
    {
        long seq = journal.CurrentSeq;
        journal.CloseCurrentEntry();
        SpinWait.SpinUntil(() => journal.WrittenSeq >= seq, TimeSpan.FromSeconds(10));
        Assert.True(journal.WrittenSeq >= seq);
    }
}
