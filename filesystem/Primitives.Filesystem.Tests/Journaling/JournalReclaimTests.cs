using Primitives.Filesystem.Journaling;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>Pins, reclaim, ring wrap-around and a full journal.</summary>
public sealed class JournalReclaimTests
{
    [Fact]
    public async Task PinsKeepLastSeqBackUntilDropped()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        var pin = new ManualPin();
        long pinned = Commit(journal, 1);
        journal.PinAdd(pin, pinned);
        Assert.True(journal.PinCount(pinned) >= 2); // the buffer's reference and the pin
        for (long id = 2; id <= 20; id++)
        {
            await journal.FlushAsync(Commit(journal, id));
        }

        Assert.Equal(pinned, journal.LastSeq);
        Assert.Equal(pinned, journal.LastSeqOnDisk);
        JournalReplay replay = await Replay(device, regions);
        Assert.Equal(pinned, replay.LastSeq);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), Ids(replay));

        journal.PinDrop(pin);
        Assert.Equal(0, pin.Seq);
        Assert.Equal(journal.CurrentSeq + 1, journal.LastSeq); // every entry written and unpinned: all reclaimed
        await journal.FlushAsync(Commit(journal, 21));
        replay = await Replay(device, regions);
        Assert.Equal([21L], Ids(replay));
        Assert.Throws<InvalidOperationException>(() => journal.PinAdd(new ManualPin(), pinned)); // reclaimed long ago
    }

    [Fact]
    public async Task PinUpdateMovesToANewerSequenceOnly()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var journal = Journal.Open(Device(regions), regions, Block, Options());
        var pin = new ManualPin();
        long first = Commit(journal, 1);
        journal.PinUpdate(pin, first);
        Assert.Equal(first, pin.Seq);
        await journal.FlushAsync(first);
        long second = Commit(journal, 2);
        journal.PinUpdate(pin, second);
        Assert.Equal(second, pin.Seq);
        journal.PinUpdate(pin, first); // older: ignored
        Assert.Equal(second, pin.Seq);
        Assert.Throws<InvalidOperationException>(() => journal.PinAdd(pin, second));
        await journal.FlushAsync(second);
        Assert.Equal(second, journal.LastSeq); // first was released by the move
        journal.PinDrop(pin);
        journal.PinDrop(pin); // not pinned: nothing
        Assert.Equal(second + 1, journal.LastSeq);
    }

    [Fact]
    public async Task RingWrapsAroundManyTimesAsPinsAreFlushed()
    {
        JournalRegion[] regions = Regions(3, 4096);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(maxEntry: 2048));
        long ringBytes = regions.Sum(r => r.Length);
        var pins = new Queue<ManualPin>();
        long id = 0;
        while (device.WriteCount * Block < 6 * ringBytes)
        {
            // Each object stays dirty for a few entries, then is written (its pin dropped).
            using (JournalReservation res = journal.Reserve(Journal.RecordSize(300)))
            {
                res.Add(7, Payload(++id, 300));
                var pin = new ManualPin();
                res.SetPin(pin);
                pins.Enqueue(pin);
            }

            if (pins.Count > 3)
            {
                journal.PinDrop(pins.Dequeue());
            }

            await journal.FlushAsync(journal.CurrentSeq);
        }

        JournalReplay replay = await Replay(device, regions);
        long[] ids = Ids(replay).ToArray();
        Assert.NotEmpty(ids);
        Assert.Equal(id, ids[^1]); // the newest record is there
        Assert.Equal(Enumerable.Range((int)ids[0], ids.Length).Select(i => (long)i), ids); // contiguous
        long oldestPinned = pins.Min(p => p.Seq);
        Assert.True(replay.LastSeq <= oldestPinned, $"replay starts at {replay.LastSeq}, after the pinned {oldestPinned}");
        Assert.True(journal.EntriesWritten > 3 * regions.Length, $"{journal.EntriesWritten} entries");
    }

    [Fact]
    public async Task FullJournalBlocksReservationsAndAsksPinsToFlushThenProceeds()
    {
        JournalRegion[] regions = Regions(2, 4096);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(maxEntry: 2048));
        var pin = new ManualPin();
        journal.PinAdd(pin, Commit(journal, 0, length: 100));

        // Fill the ring: the pinned first entry holds last_seq back, so space runs out.
        Task<JournalReservation>? blocked = null;
        for (long id = 1; id < 100 && blocked is null; id++)
        {
            Task<JournalReservation> attempt = journal.ReserveAsync(Journal.RecordSize(1000)).AsTask();
            if (!attempt.IsCompleted)
            {
                blocked = attempt;
                break;
            }

            using (JournalReservation res = await attempt)
            {
                res.Add(7, Payload(id, 1000));
            }

            await journal.FlushAsync(journal.CurrentSeq);
        }

        Assert.NotNull(blocked);
        await pin.Requested.Task.WaitAsync(TimeSpan.FromSeconds(30)); // reclaim asked the pinned object to flush
        Assert.False(blocked.IsCompleted); // still pinned: no space can be freed
        journal.PinDrop(pin);
        using (JournalReservation res = await blocked.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            res.Add(7, Payload(1000, 1000));
        }

        await journal.FlushAsync(journal.CurrentSeq);
        JournalReplay replay = await Replay(device, regions);
        Assert.Contains(1000L, Ids(replay));
    }

    [Fact]
    public async Task TryReserveRefusesWithoutWaitingWhenFullAndReclaimReservationsUseTheReserve()
    {
        JournalRegion[] regions = Regions(2, 8192);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(maxEntry: 2048));
        var journaledByReclaim = new List<long>();
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // Objects whose write-back journals a record (as a btree node write does). They write
        // back only once the test lets them, so the journal really fills up first; then the
        // reservation made inside the flush callback must not wait behind the full journal.
        JournalPin NewPin() => new(async (pin, seq, _) =>
        {
            await release.Task;
            using (JournalReservation res = journal.Reserve(Journal.RecordSize(64)))
            {
                res.Add(9, Payload(1000 + seq, 64));
                journaledByReclaim.Add(res.Seq);
            }

            journal.PinDrop(pin);
        });

        int granted = 0;
        foreach (int size in new[] { 1000, 64 })
        {
            // Fill with big records, then with small ones until even those are refused.
            while (journal.TryReserve(Journal.RecordSize(size), out JournalReservation? res))
            {
                using (res)
                {
                    res.Add(7, Payload(granted++, size));
                    res.SetPin(NewPin());
                }

                await journal.FlushAsync(journal.CurrentSeq);
                Assert.True(granted < 200, "the journal never filled");
            }
        }

        Assert.True(granted >= 4, $"{granted}");
        Task<JournalReservation> later = journal.ReserveAsync(Journal.RecordSize(1000)).AsTask();
        Assert.False(later.IsCompleted);
        release.SetResult();
        using (JournalReservation res = await later.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            res.Add(7, Payload(500, 1000));
        }

        // Write-backs journalled their records from inside reclaim, in the space kept for them
        // (with a Normal reservation there they would wait forever behind the full journal).
        Assert.NotEmpty(journaledByReclaim);
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.TryReserve(-1, out _));
    }

    [Fact]
    public async Task FlushPinsAsyncCallsEveryPinUpToTheSequence()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var journal = Journal.Open(Device(regions), regions, Block, Options());
        var flushed = new List<long>();
        var pins = new List<JournalPin>();
        for (int i = 0; i < 3; i++)
        {
            long seq = Commit(journal, i);
            var pin = new JournalPin((p, s, _) =>
            {
                flushed.Add(s);
                journal.PinDrop(p);
                return ValueTask.CompletedTask;
            });
            journal.PinAdd(pin, seq);
            pins.Add(pin);
            await journal.FlushAsync(seq);
        }

        await journal.FlushPinsAsync(pins[1].Seq);
        Assert.Equal(2, flushed.Count);
        Assert.True(flushed[0] < flushed[1]);
        Assert.Equal(0, pins[0].Seq);
        Assert.Equal(0, pins[1].Seq);
        Assert.NotEqual(0, pins[2].Seq);

        var stubborn = new JournalPin((_, _, _) => ValueTask.CompletedTask);
        journal.PinAdd(stubborn, pins[2].Seq);
        await Assert.ThrowsAsync<InvalidOperationException>(() => journal.FlushPinsAsync(journal.CurrentSeq));
    }
}
