using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Engine;

/// <summary>What the engine reads back from the journal at mount: the btrees' records, the newest roots and the alloc keys not yet in the Alloc btree.</summary>
internal sealed class ReplayedState
{
    /// <summary>Journal record type of the btree roots of an entry (<see cref="BtreeRoots.Encode"/>), appended by the entry-write hook.</summary>
    public const byte RootsRecordType = 0xE0;

    public List<BtreeJournalRecord> BtreeRecords { get; } = [];

    public BtreeRoots? NewestRoots { get; private set; }

    public Dictionary<long, AllocKey> AllocOverlay { get; } = [];

    public long AllocKeys { get; private set; }

    public int Entries { get; private set; }

    public ulong NewestSeq { get; private set; }

    public static ReplayedState Interpret(JournalReplay replay)
    {
        var state = new ReplayedState { Entries = replay.Entries.Count, NewestSeq = (ulong)Math.Max(0, replay.Newest?.Seq ?? 0) };
        bool overflow = replay.Newest?.Records.Any(r => r.Type == AllocJournal.AllocOverflowRecordType) ?? false;
        foreach (JournalEntry entry in replay.Entries)
        {
            bool newest = ReferenceEquals(entry, replay.Newest) || entry.Seq == replay.Newest?.Seq;
            foreach (JournalRecord record in entry.Records)
            {
                if (BtreeJournalRecords.IsBtreeRecord(record.Type))
                {
                    if (!BtreeJournalRecords.TryDecode((ulong)entry.Seq, record.Type, record.Payload.Span, out BtreeJournalRecord decoded))
                    {
                        throw new Format.CorruptStructureException("journal btree record", entry.DeviceOffset, $"entry {entry.Seq} holds an undecodable btree record of type 0x{record.Type:x2}");
                    }

                    state.BtreeRecords.Add(decoded);
                }
                else if (record.Type == RootsRecordType)
                {
                    try
                    {
                        state.NewestRoots = BtreeRoots.Decode(record.Payload.Span);
                    }
                    catch (FilesystemException e)
                    {
                        throw new Format.CorruptStructureException("journal roots record", entry.DeviceOffset, $"entry {entry.Seq}: {e.Message}");
                    }
                }
                else if (record.Type == AllocJournal.AllocRecordType && (newest || overflow))
                {
                    // Every entry carries the whole unpersisted set: the newest entry's set is the
                    // current one (all entries in order only when the newest could not hold it all).
                    foreach (var (bucket, key) in AllocJournal.DecodeRecords(record.Payload))
                    {
                        state.AllocOverlay[bucket] = key;
                        state.AllocKeys++;
                    }
                }
            }
        }

        return state;
    }
}
