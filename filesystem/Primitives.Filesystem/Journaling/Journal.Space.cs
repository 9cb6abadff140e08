using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Journaling;

public sealed partial class Journal
{
    /// <summary>The newest sequence each region holds (0: none); a region is free once that is below <see cref="_lastSeqOnDisk"/>. Guarded by the lock.</summary>
    private readonly long[] _regionMaxSeq;

    private int _writeRegion;    // where the next entry goes (guarded by the lock)
    private long _writeOffset;   // byte offset inside _writeRegion

    /// <summary>
    /// The size of the smallest entry (header and hook records, one block or more). Space is
    /// kept in two levels of this size so the journal can always write the entry that frees
    /// space, however full it is: an entry for reservations leaves two behind it, an entry opened
    /// only to be flushed leaves one, and only an entry that carries a last_seq that frees a
    /// region (<see cref="EntryKind.LastSeqUpdate"/>) may use the last one. Without the middle
    /// level, flush-only entries written while nothing could be reclaimed would use up the reserve,
    /// and once pins drop there would be no room to record the new last_seq (a deadlock Coyote found).
    /// </summary>
    private readonly int _slackBytes;

    /// <summary>Why an entry is opened: decides how much space it must leave behind, and whether reservations may join it.</summary>
    private enum EntryKind
    {
        Reservations,        // leaves 2 x slack + the reclaim reserve; ordinary reservations fill it
        ReclaimReservations, // leaves 2 x slack; opened by a reclaim reservation (ordinary ones may join within their own capacity)
        Flush,               // leaves 2 x slack + the reclaim reserve; opened for an ordinary flush when every entry is already written
        FlushOnly,           // leaves 1 x slack; opened for a reclaim flush when every entry is already written
        LastSeqUpdate,       // leaves nothing; opened to write a last_seq that frees a region
    }

    private int SpaceLeftBehind(EntryKind kind) => kind switch
    {
        EntryKind.Reservations or EntryKind.Flush => (2 * _slackBytes) + _reclaimReserveBytes,
        EntryKind.ReclaimReservations => 2 * _slackBytes,
        EntryKind.FlushOnly => _slackBytes,
        _ => 0,
    };

    /// <summary>Pin FIFO slots ordinary reservations leave free for reclaim reservations and flush entries.</summary>
    private const int ReclaimFifoSlots = 4;

    /// <summary>
    /// The capacity an entry at <paramref name="offset"/> of <paramref name="region"/> may have
    /// while leaving <paramref name="behind"/> bytes free after it (block-aligned; may be below the header).
    /// </summary>
    private int CapacityAt(int region, long offset, int behind)
    {
        long room = _regions[region].Length - offset;
        long capacity = Math.Min(_buffers[0].Data.Length, room);
        if (room - capacity < behind && !FreeAfter(region, behind))
        {
            capacity = room - behind;
        }

        return (int)Math.Max(0, capacity / _blockSize * _blockSize);
    }

    private static JournalRegion[] ValidateGeometry(BlockDevice device, IReadOnlyList<JournalRegion> regions, int blockSize)
    {
        if (blockSize < 512 || (blockSize & (blockSize - 1)) != 0 || blockSize % device.LogicalBlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, $"must be a power of two of at least 512 and a multiple of {device.Name}'s {device.LogicalBlockSize}-byte logical block");
        }

        if (regions.Count < 2)
        {
            throw new ArgumentException($"a journal needs at least two regions (got {regions.Count}): the ring must be able to move on while one is in use", nameof(regions));
        }

        var result = regions.ToArray();
        for (int i = 0; i < result.Length; i++)
        {
            JournalRegion r = result[i];
            if (r.Offset < 0 || r.Length < 4L * blockSize || r.Offset % blockSize != 0 || r.Length % blockSize != 0)
            {
                throw new ArgumentException($"journal region {i} [{r.Offset}, +{r.Length}) must be aligned to the {blockSize}-byte block and at least 4 blocks long", nameof(regions));
            }

            if (r.Offset > device.Size - r.Length)
            {
                throw new ArgumentException($"journal region {i} [{r.Offset}, +{r.Length}) is outside {device.Name} ({device.Size} bytes)", nameof(regions));
            }

            for (int j = 0; j < i; j++)
            {
                JournalRegion o = result[j];
                if (r.Offset < o.Offset + o.Length && o.Offset < r.Offset + r.Length)
                {
                    throw new ArgumentException($"journal regions {j} and {i} overlap", nameof(regions));
                }
            }
        }

        return result;
    }

    private static long MinRegionLength(JournalRegion[] regions) => regions.Min(r => r.Length);

    private static int MaxEntryBytes(JournalRegion[] regions, JournalOptions options) =>
        (int)Math.Min(options.MaxEntrySize, MinRegionLength(regions));

    private bool IsRegionFree(int region) =>
        region != _writeRegion && _regionMaxSeq[region] < _lastSeqOnDisk;

    private int NextRegion(int region) => region + 1 == _regions.Length ? 0 : region + 1;

    /// <summary>
    /// Finds room for a new entry of at least <paramref name="minBytes"/> bytes (header, records
    /// and hook reserve): in the rest of the current region, else at the start of the next region
    /// if it is free. The entry must leave <see cref="SpaceLeftBehind"/> free after it (in its
    /// region's tail, or a free next region); its capacity is as large as that allows, up to the
    /// maximum entry size. Caller holds the lock.
    /// </summary>
    private bool TryPlace(int minBytes, EntryKind kind, out int region, out long regionOffset, out int capacity)
    {
        int behind = SpaceLeftBehind(kind);
        int need = RoundUp(minBytes, _blockSize);
        region = _writeRegion;
        regionOffset = _writeOffset;
        if (!Fits(region, regionOffset, need, behind))
        {
            int next = NextRegion(region);
            if (!IsRegionFree(next) || !Fits(next, 0, need, behind))
            {
                capacity = 0;
                return false;
            }

            region = next;
            regionOffset = 0;
        }

        capacity = CapacityAt(region, regionOffset, behind);
        return capacity >= need;
    }

    /// <summary>Whether an entry of <paramref name="need"/> bytes at <paramref name="offset"/> of <paramref name="region"/> leaves <paramref name="behind"/> bytes free after it.</summary>
    private bool Fits(int region, long offset, int need, int behind)
    {
        long room = _regions[region].Length - offset;
        return room >= need && (room - need >= behind || FreeAfter(region, behind));
    }

    /// <summary>Whether the region after <paramref name="region"/> is free and holds at least <paramref name="bytes"/>.</summary>
    private bool FreeAfter(int region, int bytes)
    {
        int after = NextRegion(region);
        return after != region && IsRegionFree(after) && _regions[after].Length >= bytes;
    }

    /// <summary>
    /// Whether writing an entry that carries the current last_seq would free a region: some
    /// region other than the one being written holds only sequences that reclaim has released
    /// but the on-disk last_seq still covers. Caller holds the lock.
    /// </summary>
    private bool LastSeqUpdateWouldFreeSpace()
    {
        long lastSeq = Volatile.Read(ref _lastSeq);
        if (lastSeq <= _lastSeqOnDisk)
        {
            return false;
        }

        for (int r = 0; r < _regions.Length; r++)
        {
            if (r != _writeRegion && _regionMaxSeq[r] >= _lastSeqOnDisk && _regionMaxSeq[r] < lastSeq)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Sets the write position, region occupancy and sequence counters from a replay.</summary>
    private void ContinueAfter(JournalReplay replay)
    {
        if (replay.Newest is not { } newest)
        {
            // Nothing valid on disk: a fresh ring whose sequences start after anything seen there.
            _curSeq = _lastOpenedSeq = _writeStartedSeq = _writtenSeq = _flushStartedSeq = _durableSeq = replay.MaxSeenSeq;
            _lastSeq = _lastSeqOnDisk = replay.MaxSeenSeq + 1;
            _pinSkipAfter = long.MaxValue;
            _state = JournalReservationState.AfterWritten(_curSeq).Value;
            return;
        }

        if (newest.Region >= _regions.Length || newest.DeviceOffset < _regions[newest.Region].Offset
            || newest.DeviceOffset + newest.Length > _regions[newest.Region].Offset + _regions[newest.Region].Length)
        {
            throw new ArgumentException("the replay was read from other journal regions", nameof(replay));
        }

        foreach (JournalEntry entry in replay.Entries)
        {
            _regionMaxSeq[entry.Region] = Math.Max(_regionMaxSeq[entry.Region], entry.Seq);
        }

        _writeRegion = newest.Region;
        _writeOffset = RoundUp(newest.DeviceOffset - _regions[newest.Region].Offset + newest.Length, _blockSize);

        // Sequences newer than the newest trusted entry may exist on disk (an unflushed tail, torn
        // entries): new entries take sequences above all of them, so none can be mistaken for a
        // new one, and link back to the newest trusted entry.
        _curSeq = _writeStartedSeq = _writtenSeq = _flushStartedSeq = _durableSeq = replay.MaxSeenSeq;
        _state = JournalReservationState.AfterWritten(_curSeq).Value;
        _lastOpenedSeq = newest.Seq;
        _lastSeq = newest.LastSeq;
        _lastSeqOnDisk = newest.LastSeq;
        long span = newest.Seq - newest.LastSeq + 1;
        if (span > _pins.Length / 2)
        {
            throw new ArgumentException($"the replayed range [{newest.LastSeq}, {newest.Seq}] is longer than half the pin FIFO ({_pins.Length}); open with a larger JournalOptions.PinFifoSize", nameof(replay));
        }

        _pinSkipAfter = newest.Seq;
        _pinSkipLength = replay.MaxSeenSeq - newest.Seq;
        var present = new HashSet<long>(replay.Entries.Select(e => e.Seq));
        for (long seq = newest.LastSeq; seq <= newest.Seq; seq++)
        {
            // The replay reference: the engine drops it with CompleteReplay once it has replayed
            // the keys and pinned what is still dirty.
            PinSlot(seq).Reset(seq, present.Contains(seq) ? 1 : 0);
        }

        _replayPins = present;
    }
}
