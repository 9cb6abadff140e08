using CsCheck;
using Primitives.Filesystem.Journaling;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>
/// Random operation sequences (commit with or without a pin, drop a pin, flush, close the entry)
/// against a small model of committed records and pinned objects: the journal never reclaims a
/// pinned sequence, its counters stay ordered, and a replay after a final flush holds exactly the
/// committed records from its last_seq on.
/// </summary>
public sealed class JournalModelTests
{
    private enum Op
    {
        Commit,
        CommitPinned,
        DropPin,
        Flush,
        Close,
    }

    [Fact]
    public void RandomOperationsKeepPinnedSequencesAndReplayWhatWasCommitted()
    {
        Gen.Select(Gen.Enum<Op>(), Gen.Int[8, 900]).Array[1, 60].Sample(ops =>
        {
            JournalRegion[] regions = Regions(4, 16 * 1024);
            var device = Device(regions);
            var journal = Journal.Open(device, regions, Block, Options(maxEntry: 4096));
            var committed = new List<(long Id, long Seq)>();
            var pinned = new List<ManualPin>();
            long id = 0;
            foreach ((Op op, int size) in ops)
            {
                switch (op)
                {
                    case Op.Commit:
                        committed.Add((++id, Commit(journal, id, length: size)));
                        break;
                    case Op.CommitPinned:
                        using (JournalReservation res = journal.Reserve(Journal.RecordSize(size)))
                        {
                            res.Add(7, Payload(++id, size));
                            var pin = new ManualPin();
                            res.SetPin(pin);
                            pinned.Add(pin);
                            committed.Add((id, res.Seq));
                        }

                        break;
                    case Op.DropPin when pinned.Count > 0:
                        journal.PinDrop(pinned[size % pinned.Count]);
                        pinned.RemoveAt(size % pinned.Count);
                        break;
                    case Op.Flush:
                        journal.Flush(journal.CurrentSeq);
                        Assert.Equal(journal.CurrentSeq, journal.DurableSeq);
                        break;
                    case Op.Close:
                        journal.CloseCurrentEntry();
                        break;
                }

                long last = journal.LastSeq;
                Assert.All(pinned, p => Assert.True(p.Seq >= last, $"pinned seq {p.Seq} is below last_seq {last}"));
                Assert.True(journal.DurableSeq <= journal.WrittenSeq && journal.WrittenSeq <= journal.CurrentSeq, journal.ToString());
                Assert.True(last <= journal.CurrentSeq + 1);
            }

            journal.Flush(journal.CurrentSeq);
            JournalReplay replay = Replay(device, regions).GetAwaiter().GetResult();
            long from = replay.LastSeq;
            Assert.True(pinned.Count == 0 || from <= pinned.Min(p => p.Seq));
            Assert.Equal(committed.Where(c => c.Seq >= from).Select(c => c.Id), Ids(replay));
        }, iter: 150);
    }
}
