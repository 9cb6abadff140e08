using Microsoft.Coyote.Specifications;
using Primitives.Closures;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Coyote.Tests.Journaling;

/// <summary>
/// The journal under Coyote: reservations, entry close from a concurrent flush, fast reclaim and
/// pin sets race. Write completions run on <see cref="ClosureExecutors.TaskRun"/>, waits park on
/// closures (Monitor), the device yields on every operation. A ghost model of dirty objects
/// (plain fields, no scheduling points) checks the seed-003 invariants:
/// a sequence's pin count is non-zero while a reservation on it is outstanding; no pin set under
/// a reservation is skipped; every object dirtied at a sequence is flushed before that sequence
/// is reclaimed, and none is left dirty at freeze.
/// </summary>
internal static class JournalScenarios
{
    public const string InvariantBroken = "while a reservation on it is outstanding||reclaimed while||left dirty at freeze||was skipped";

    private static readonly JournalRegion[] Regions = [new(4096, 8192), new(12288, 8192)];

    private static Journal OpenJournal(CoyoteBlockDevice device, bool mutant) =>
        Journal.Open(device, Regions, 512, new JournalOptions
        {
            CommitDelay = null,
            MaxEntrySize = 2048,
            PinFifoSize = 16,
            Executor = ClosureExecutors.TaskRun,
            OldPinLifetimeMutant = mutant,
            ReclaimReserveBytes = 1024,
        });

    /// <summary>Two transactions, a concurrent flusher (closes the open entry), then freeze: the fixed journal.</summary>
    [CoyoteScenario("journal.pins.reservation-keeps-seq", Iterations = 200)]
    public static Task ReservationKeepsItsSequencePinned() => RunTransactionsAgainstFlush(mutant: false);

    /// <summary>The same with the pre-fix pin lifetime (entry close drops the pin reference): Coyote must find the race.</summary>
    [CoyoteScenario("journal.pins.old-lifetime-mutant", ExpectedError = InvariantBroken, Iterations = 500)]
    public static Task OldPinLifetimeLosesADirtyObject() => RunTransactionsAgainstFlush(mutant: true);

    /// <summary>
    /// The mutant again, checked only by its user-visible symptom (the direct pin-count check is
    /// off): a dirty object whose sequence was reclaimed unflushed, a skipped pin set, or an
    /// object left dirty at freeze, as the original report found it.
    /// </summary>
    [CoyoteScenario("journal.pins.old-lifetime-mutant.symptom", ExpectedError = Symptom, Iterations = 500)]
    public static Task OldPinLifetimeShowsAsADirtyObjectLeftOver() => RunTransactionsAgainstFlush(mutant: true, checkPinCount: false);

    public const string Symptom = "reclaimed while||left dirty at freeze||was skipped";

    private static async Task RunTransactionsAgainstFlush(bool mutant, bool checkPinCount = true)
    {
        var device = new CoyoteBlockDevice(32768);
        Journal journal = OpenJournal(device, mutant);
        var model = new DirtyModel(journal);
        journal.OnSeqReclaimed = model.OnReclaimed;

        Task Transaction(int id) => Task.Run(async () =>
        {
            using JournalReservation res = await journal.ReserveAsync(Journal.RecordSize(8));
            res.Add(1, BitConverter.GetBytes((long)id));
            model.Dirtied(id, res.Seq); // the object now holds an update that only the journal has
            if (checkPinCount)
            {
                Specification.Assert(journal.PinCount(res.Seq) > 0, $"pin count of seq {res.Seq} is zero while a reservation on it is outstanding");
            }

            res.SetPin(model.Pins[id]);
            Specification.Assert(model.Pins[id].Seq != 0, $"the pin set of object {id} on seq {res.Seq} was skipped (last_seq {journal.LastSeq})");
        });

        Task Flusher() => Task.Run(async () =>
        {
            long seq = journal.CurrentSeq;
            if (seq > 0)
            {
                await journal.FlushAsync(seq);
            }
        });

        await Task.WhenAll(new[] { Transaction(0), Flusher(), Transaction(1) });

        // Freeze: drain, make everything durable, flush every pinned object.
        await journal.FreezeAsync();
        await journal.FlushPinsAsync(long.MaxValue);
        model.AssertAllClean();
        Specification.Assert(journal.LastSeq == journal.CurrentSeq + 1, $"after freeze and flushing every pin, last_seq {journal.LastSeq} is not past the current seq {journal.CurrentSeq}");
    }

    /// <summary>
    /// A tiny ring (two 8 KiB regions) filled by three writers whose objects stay pinned: the
    /// writers block for space, reclaim asks the objects to flush (they drop their pins), a
    /// last_seq update frees a region, and every writer completes; everything committed is replayed.
    /// </summary>
    [CoyoteScenario("journal.space.full-ring-reclaims", Iterations = 100)]
    public static async Task FullRingBlocksAndReclaims()
    {
        var device = new CoyoteBlockDevice(32768);
        Journal journal = OpenJournal(device, mutant: false);
        var model = new DirtyModel(journal);
        journal.OnSeqReclaimed = model.OnReclaimed;
        const int PerWriter = 4;

        Task Writer(int w) => Task.Run(async () =>
        {
            for (int i = 0; i < PerWriter; i++)
            {
                int id = (w * PerWriter) + i;
                long seq;
                using (JournalReservation res = await journal.ReserveAsync(Journal.RecordSize(1500)))
                {
                    byte[] payload = new byte[1500];
                    BitConverter.TryWriteBytes(payload, (long)id);
                    res.Add(1, payload);
                    model.Dirtied(id, res.Seq);
                    res.SetPin(model.Pins[id]);
                    seq = res.Seq;
                }

                await journal.FlushAsync(seq);
            }
        });

        await Task.WhenAll(new[] { Writer(0), Writer(1), Writer(2) });
        await journal.ShutdownAsync();
        model.AssertAllClean();
        JournalReplay replay = await Journal.ReadAsync(device, Regions, 512);
        Specification.Assert(replay.Newest is not null && replay.Newest.LastSeq == replay.Newest.Seq, $"after a clean shutdown the replay is {replay}");
    }

    /// <summary>
    /// Pin moves, drops and the slow reclaim pass race with new transactions: one object is
    /// dirtied again in a newer entry (its pin moves forward) while a reclaim pass asks it to
    /// flush (the object writes itself back under its own lock and drops the pin), and another
    /// transaction and a flusher run alongside. No sequence is reclaimed while an object dirtied
    /// in it is unwritten, and at freeze nothing is left dirty.
    /// </summary>
    [CoyoteScenario("journal.pins.move-drop-reclaim", Iterations = 200)]
    public static async Task PinMovesAndDropsRaceWithReclaim()
    {
        var device = new CoyoteBlockDevice(32768);
        Journal journal = OpenJournal(device, mutant: false);
        var model = new DirtyModel(journal);
        journal.OnSeqReclaimed = model.OnReclaimed;

        Task Transaction(int id, int times) => Task.Run(async () =>
        {
            for (int i = 0; i < times; i++)
            {
                long seq;
                using (JournalReservation res = await journal.ReserveAsync(Journal.RecordSize(8)))
                {
                    res.Add(1, BitConverter.GetBytes((long)id));
                    model.DirtyAndPin(id, res);
                    seq = res.Seq;
                }

                await journal.FlushAsync(seq);
            }
        });

        Task Reclaimer() => Task.Run(async () =>
        {
            long seq = journal.CurrentSeq;
            if (seq > 0)
            {
                await journal.FlushPinsAsync(seq);
            }
        });

        await Task.WhenAll(new[] { Transaction(0, 2), Reclaimer(), Transaction(1, 1) });
        await journal.FreezeAsync();
        await journal.FlushPinsAsync(long.MaxValue);
        model.AssertAllClean();
        Specification.Assert(journal.LastSeq == journal.CurrentSeq + 1, $"after freeze and flushing every pin, last_seq {journal.LastSeq} is not past the current seq {journal.CurrentSeq}");
    }

    /// <summary>
    /// Freeze races transactions: when <see cref="Journal.FreezeAsync"/> returns, no reservation is
    /// outstanding and every released one is durable; none is granted while frozen; after
    /// <see cref="Journal.Unfreeze"/> the held ones proceed, and every record is replayable.
    /// </summary>
    [CoyoteScenario("journal.freeze.drains-and-holds", Iterations = 100)]
    public static async Task FreezeDrainsAndHoldsReservations()
    {
        var device = new CoyoteBlockDevice(32768);
        Journal journal = OpenJournal(device, mutant: false);
        int outstanding = 0;
        bool frozen = false;
        var released = new List<long>();

        Task Transaction(int id) => Task.Run(async () =>
        {
            JournalReservation res = await journal.ReserveAsync(Journal.RecordSize(8));
            Specification.Assert(!frozen, $"transaction {id} got a reservation on seq {res.Seq} while the journal was frozen");
            outstanding++;
            res.Add(1, BitConverter.GetBytes((long)id));
            await Task.Yield(); // holds the reservation across scheduling points
            outstanding--;
            released.Add(res.Seq);
            res.Dispose(); // no scheduling point between the ghost update and the release
        });

        Task Freezer() => Task.Run(async () =>
        {
            await journal.FreezeAsync();
            frozen = true;
            Specification.Assert(outstanding == 0, $"{outstanding} reservation(s) outstanding after FreezeAsync returned");
            foreach (long seq in released)
            {
                Specification.Assert(seq <= journal.DurableSeq, $"seq {seq} released before the freeze is not durable after it (durable {journal.DurableSeq})");
            }

            frozen = false;
            journal.Unfreeze();
        });

        await Task.WhenAll(new[] { Transaction(0), Freezer(), Transaction(1) });
        await journal.ShutdownAsync();
        Specification.Assert(released.Count == 2, $"{released.Count} of 2 transactions completed");
    }

    /// <summary>The ghost model: which object is dirty at which sequence; pins whose flush cleans the object and drops the pin.</summary>
    private sealed class DirtyModel
    {
        private readonly Journal _journal;
        private readonly Dictionary<int, long> _dirty = [];

        public DirtyModel(Journal journal)
        {
            _journal = journal;
            for (int i = 0; i < Pins.Length; i++)
            {
                int id = i;
                Pins[i] = new JournalPin((pin, _, _) =>
                {
                    lock (Locks[id])
                    {
                        _dirty.Remove(id); // written back
                        _journal.PinDrop(pin);
                    }

                    return ValueTask.CompletedTask;
                });
                Locks[i] = new object();
            }
        }

        public JournalPin[] Pins { get; } = new JournalPin[16];

        /// <summary>Each object's own lock: its update and its write-back (with the pin change) are atomic, as in a real cache.</summary>
        public object[] Locks { get; } = new object[16];

        /// <summary>Dirties object <paramref name="id"/> in the reservation's entry and moves its pin there.</summary>
        public void DirtyAndPin(int id, JournalReservation res)
        {
            lock (Locks[id])
            {
                _dirty[id] = res.Seq;
                res.SetPin(Pins[id]);
                Specification.Assert(Pins[id].Seq == res.Seq, $"object {id}'s pin is on seq {Pins[id].Seq}, not on the entry {res.Seq} it was dirtied in");
            }
        }

        public void Dirtied(int id, long seq) => _dirty[id] = seq;

        public void OnReclaimed(long seq)
        {
            foreach ((int id, long dirtySeq) in _dirty)
            {
                Specification.Assert(dirtySeq != seq, $"seq {seq} reclaimed while object {id} dirtied in it was never flushed");
            }
        }

        public void AssertAllClean() =>
            Specification.Assert(_dirty.Count == 0, $"object(s) {string.Join(", ", _dirty.Select(d => $"{d.Key}@{d.Value}"))} left dirty at freeze");
    }
}
