using Primitives.Filesystem.Journaling;
using Xunit.Abstractions;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>Flush semantics: group commit, durable sequence and its event, freeze, failures.</summary>
public sealed class JournalFlushTests(ITestOutputHelper output)
{
    /// <summary>
    /// N committers flushing while one flush write is in flight share the next flush write: the
    /// device sees 2 flushes for the first committer and 2 for all the others together.
    /// </summary>
    [Fact]
    public async Task ConcurrentFlushersShareOneFlushWrite()
    {
        const int committers = 32;
        JournalRegion[] regions = Regions(4, 64 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(maxEntry: 16 * 1024));

        device.CloseFlushGate();
        long first = Commit(journal, 0);
        Task firstFlush = journal.FlushAsync(first);
        SpinWait.SpinUntil(() => device.FlushesWaiting == 1, TimeSpan.FromSeconds(10)); // the first write is in flight
        Assert.Equal(1, device.FlushesWaiting);

        var flushes = new Task[committers - 1];
        for (int i = 1; i < committers; i++)
        {
            long seq = Commit(journal, i);
            Assert.True(seq > first);
            flushes[i - 1] = journal.FlushAsync(seq); // registers its request before returning
        }

        device.OpenFlushGate();
        await firstFlush;
        await Task.WhenAll(flushes);

        Assert.Equal(4, device.FlushCount);
        Assert.Equal(4, journal.DeviceFlushes);
        Assert.Equal(2, journal.EntriesWritten);
        output.WriteLine($"{committers} committers, {device.FlushCount} device flushes (ratio {(double)device.FlushCount / committers:0.###} per commit)");
        // Nothing is pinned, so replay needs only the second (shared) entry: ids 1..N-1, in commit order.
        Assert.Equal(Enumerable.Range(1, committers - 1).Select(i => (long)i), Ids(await Replay(device, regions)));
    }

    /// <summary>
    /// Free-running: many tasks commit and flush concurrently. Every commit is durable and
    /// replayed; the ratio of device flushes to commits is reported (not asserted: it depends on
    /// scheduling), bounded by two per commit.
    /// </summary>
    [Fact]
    public async Task ManyConcurrentCommittersAreAllDurable()
    {
        const int committers = 64;
        JournalRegion[] regions = Regions(4, 64 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(maxEntry: 16 * 1024));
        var pin = new ManualPin();
        journal.PinAdd(pin, Commit(journal, -1));
        var start = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, committers).Select(i => Task.Run(async () =>
        {
            await start.Task;
            long seq;
            using (JournalReservation res = await journal.ReserveAsync(Journal.RecordSize(16)))
            {
                res.Add(7, Payload(i));
                seq = res.Seq;
            }

            await journal.FlushAsync(seq);
            Assert.True(journal.DurableSeq >= seq);
        })).ToArray();
        start.SetResult();
        await Task.WhenAll(tasks);

        output.WriteLine($"{committers} concurrent committers: {device.FlushCount} device flushes, {journal.EntriesWritten} entries; {(double)device.FlushCount / committers:0.###} flushes per commit");
        output.WriteLine(journal.CommitToDurable.ToString());
        Assert.True(device.FlushCount <= 2 * (committers + 1));
        Assert.Equal(Enumerable.Range(-1, committers + 1).Select(i => (long)i), Ids(await Replay(device, regions)).Order());
    }

    [Fact]
    public async Task DurableSeqAdvancedIsRaisedInIncreasingOrder()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var journal = Journal.Open(Device(regions), regions, Block, Options());
        var seen = new List<long>();
        journal.DurableSeqAdvanced += s =>
        {
            lock (seen)
            {
                seen.Add(s);
            }
        };
        var seqs = new List<long>();
        for (int i = 0; i < 5; i++)
        {
            seqs.Add(Commit(journal, i));
            await journal.FlushAsync(seqs[^1]);
        }

        Assert.Equal(seqs, seen);
        Assert.Equal(seqs[^1], journal.DurableSeq);
        await journal.FlushAsync(seqs[0]); // already durable: returns at once
        await journal.FlushAsync(0);
    }

    [Fact]
    public async Task FlushOfAnEntryWrittenWithoutFlushWritesAFlushEntryAfterIt()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        long seq = Commit(journal, 1);
        journal.CloseCurrentEntry();
        SpinWait.SpinUntil(() => journal.WrittenSeq == seq, TimeSpan.FromSeconds(10));
        Assert.Equal(0, journal.DurableSeq);
        Assert.Equal(0, device.FlushCount);
        journal.Flush(seq); // the sync form
        Assert.True(journal.DurableSeq > seq);
        Assert.Equal(2, device.FlushCount);
    }

    [Fact]
    public async Task FreezeDrainsReservationsAndHoldsNewOnesUntilUnfreeze()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        JournalReservation outstanding = journal.Reserve(Journal.RecordSize(16));
        outstanding.Add(7, Payload(1));
        Task freeze = journal.FreezeAsync();
        Assert.False(freeze.IsCompleted); // waits for the outstanding reservation
        Assert.True(journal.IsFrozen);
        Task<JournalReservation> held = journal.ReserveAsync(Journal.RecordSize(16)).AsTask();
        outstanding.Dispose();
        await freeze.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(outstanding.Seq, journal.DurableSeq);
        Assert.False(held.IsCompleted); // frozen: the new reservation waits
        await Assert.ThrowsAsync<InvalidOperationException>(() => journal.FreezeAsync());

        journal.Unfreeze();
        using (JournalReservation res = await held.WaitAsync(TimeSpan.FromSeconds(30)))
        {
            res.Add(7, Payload(2));
            Assert.True(res.Seq > outstanding.Seq);
        }

        Assert.Throws<InvalidOperationException>(journal.Unfreeze);
    }

    [Fact]
    public async Task AWaitingReservationCanBeCancelled()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var journal = Journal.Open(Device(regions), regions, Block, Options());
        await journal.FreezeAsync();
        using var cts = new CancellationTokenSource();
        Task<JournalReservation> waiting = journal.ReserveAsync(8, cts.Token).AsTask();
        Assert.False(waiting.IsCompleted);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting.WaitAsync(TimeSpan.FromSeconds(30)));
        journal.Unfreeze();
        journal.Reserve(8).Dispose();
    }

    [Fact]
    public async Task FrozenJournalThrowsWhenConfiguredTo()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var journal = Journal.Open(Device(regions), regions, Block, new JournalOptions { CommitDelay = null, ThrowWhenFrozen = true });
        await journal.FreezeAsync();
        Assert.Throws<JournalFrozenException>(() => journal.Reserve(8));
        journal.Unfreeze();
        journal.Reserve(8).Dispose();
    }

    [Fact]
    public async Task WriteErrorFailsFlushersAndLaterReservations()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        long seq = Commit(journal, 1);
        device.FailNextWrite = true;
        var error = await Assert.ThrowsAsync<JournalShutdownException>(() => journal.FlushAsync(seq));
        Assert.Contains("injected write error", error.Message);
        Assert.Throws<JournalShutdownException>(() => journal.Reserve(8));
        Assert.Equal(0, journal.DurableSeq);
    }

    [Fact]
    public async Task AbortStopsWithoutTouchingTheDeviceAgain()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, new JournalOptions { CommitDelay = TimeSpan.FromMilliseconds(1) });
        long durable = Commit(journal, 1);
        await journal.FlushAsync(durable);

        device.CloseFlushGate();
        long seq = Commit(journal, 2);
        Task flush = journal.FlushAsync(seq);
        SpinWait.SpinUntil(() => device.FlushesWaiting == 1, TimeSpan.FromSeconds(10)); // the entry's first flush is in flight

        // Counted only now: the 1 ms commit delay may have written entry 2 without a flush before
        // the flush request; the flush write now blocked is the only one left, one at a time.
        long writesBefore = device.WriteCount;
        JournalReservation outstanding = journal.Reserve(8); // held across the abort
        Task abort = journal.AbortAsync();
        Assert.False(abort.IsCompleted); // the write pipeline is still in its device flush
        device.OpenFlushGate();
        await abort.WaitAsync(TimeSpan.FromSeconds(30));

        await Assert.ThrowsAsync<JournalShutdownException>(() => flush);
        Assert.Equal(writesBefore, device.WriteCount); // the entry itself was never written
        Assert.Throws<JournalShutdownException>(() => journal.Reserve(8));
        outstanding.Dispose(); // releasing after an abort is harmless
        Assert.Equal(writesBefore, device.WriteCount);

        Assert.Equal(durable, journal.DurableSeq);
        await journal.DisposeAsync(); // idempotent
        JournalReplay replay = await Journal.ReadAsync(device, regions, Block);
        Assert.Equal(durable, replay.Newest!.Seq);
    }

    [Fact]
    public async Task CommitDelayClosesAnIdleEntry()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, new JournalOptions { CommitDelay = TimeSpan.FromMilliseconds(1) });
        long seq = Commit(journal, 1);
        Assert.True(SpinWait.SpinUntil(() => journal.WrittenSeq >= seq, TimeSpan.FromSeconds(30)));
        Assert.Equal(0, device.FlushCount); // closed by the delay and written without a flush
        await journal.FlushAsync(seq);
    }

    [Fact]
    public void BadArgumentsAreRejectedWithTypedExceptions()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Reserve(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Reserve(journal.MaxReservationBytes + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.Flush(journal.CurrentSeq + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => journal.PinAdd(new ManualPin(), journal.CurrentSeq + 1));
        Assert.Throws<ArgumentNullException>(() => journal.PinAdd(null!, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => Journal.RecordSize(-1));
        using (JournalReservation res = journal.Reserve(Journal.RecordSize(4)))
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => res.Add(0, [1, 2, 3, 4]));
            Assert.Throws<InvalidOperationException>(() => res.Add(1, new byte[5]));
            res.Add(1, [1, 2, 3, 4]);
            Assert.Equal(0, res.Remaining);
        }

        Assert.Throws<ArgumentException>(() => Journal.Open(device, [regions[0]], Block));
        Assert.Throws<ArgumentException>(() => Journal.Open(device, [regions[0], regions[0]], Block));
        Assert.Throws<ArgumentException>(() => Journal.Open(device, [new JournalRegion(100, 8192), regions[1]], Block));
        Assert.Throws<ArgumentException>(() => Journal.Open(device, [regions[0], new JournalRegion(device.Size, 8192)], Block));
        Assert.Throws<ArgumentOutOfRangeException>(() => Journal.Open(device, regions, 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => Journal.Open(device, regions, Block, new JournalOptions { PinFifoSize = 100 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Journal.Open(device, regions, Block, new JournalOptions { MaxEntrySize = 100 }));
        Assert.Throws<ArgumentNullException>(() => Journal.Open(null!, regions, Block));
        Assert.Throws<ArgumentNullException>(() => new JournalPin(null!));
    }
}
