using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Journaling;

public sealed partial class Journal
{
    /// <summary>
    /// Recovery: reads every entry of the journal regions, verifies checksums, and returns the
    /// newest trusted range: from the newest valid flush entry back along the entries' back links
    /// to its last_seq. Unflushed entries after it and torn entries at the tail are ignored (they
    /// were never durable). An entry missing or corrupt inside the range, or a corrupt flush entry
    /// with valid entries after it, is damage and is reported.
    /// </summary>
    /// <param name="device">The device holding the journal.</param>
    /// <param name="regions">The journal regions, as given to <see cref="Open"/>.</param>
    /// <param name="blockSize">The journal block size, as given to <see cref="Open"/>.</param>
    /// <param name="journalId">The filesystem's journal id (<see cref="JournalOptions.JournalId"/>).</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The entries to replay and where to continue.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> or <paramref name="regions"/> is null.</exception>
    /// <exception cref="ArgumentException">The regions are invalid (see <see cref="Open"/>).</exception>
    /// <exception cref="JournalChecksumException">An entry the trusted range needs is corrupt or missing (its seq and offset are in the exception).</exception>
    /// <remarks>
    /// Why a gap below a flush entry is damage, not a torn write: entries are written one at a
    /// time in order, and a flush entry's write starts only after a device flush that follows the
    /// completion of every earlier entry's write, so a valid flush entry on disk proves every
    /// earlier entry was durable.
    /// </remarks>
    public static async Task<JournalReplay> ReadAsync(BlockDevice device, IReadOnlyList<JournalRegion> regions, int blockSize, ulong journalId = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(regions);
        JournalRegion[] ring = ValidateGeometry(device, regions, blockSize);
        var valid = new Dictionary<long, JournalEntry>();
        var bad = new Dictionary<long, (long Offset, bool IsFlush)>();
        long maxSeen = 0;
        for (int r = 0; r < ring.Length; r++)
        {
            byte[] data = new byte[ring[r].Length];
            await device.ReadAsync(ring[r].Offset, data, cancellationToken).ConfigureAwait(false);
            ScanRegion(data, r, ring[r].Offset, blockSize, journalId, valid, bad, ref maxSeen);
        }

        JournalEntry? newest = valid.Values.Where(e => e.IsFlush).MaxBy(e => e.Seq);
        if (newest is not null)
        {
            // A corrupt flush entry followed by any valid entry had completed its second flush
            // before the next write started: it was durable, so it is damage.
            foreach ((long seq, (long offset, bool isFlush)) in bad.OrderBy(b => b.Key))
            {
                if (isFlush && seq > newest.Seq && valid.Keys.Any(s => s > seq))
                {
                    throw new JournalChecksumException(seq, offset, $"journal entry {seq} at byte {offset} of {device.Name} is a flush entry with a bad checksum, and newer entries follow it: it was durable, so this is corruption, not a torn write");
                }
            }
        }

        var entries = new List<JournalEntry>();
        if (newest is not null)
        {
            JournalEntry current = newest;
            entries.Add(current);
            while (current.PrevSeq >= newest.LastSeq && current.Seq > newest.LastSeq)
            {
                long prev = current.PrevSeq;
                if (!valid.TryGetValue(prev, out JournalEntry? previous))
                {
                    long offset = bad.TryGetValue(prev, out var b) ? b.Offset : -1;
                    throw new JournalChecksumException(prev, offset, offset >= 0
                        ? $"journal entry {prev} at byte {offset} of {device.Name} has a bad checksum, but flush entry {newest.Seq} (last_seq {newest.LastSeq}) needs it and proves it was durable"
                        : $"journal entry {prev} is missing from {device.Name}, but flush entry {newest.Seq} (last_seq {newest.LastSeq}) needs it and proves it was durable");
                }

                entries.Add(previous);
                current = previous;
            }

            entries.Reverse();
        }

        var tail = newest is null
            ? valid.Values.OrderBy(e => e.Seq).ToList()
            : valid.Values.Where(e => e.Seq > newest.Seq).OrderBy(e => e.Seq).ToList();
        var torn = bad.Where(b => newest is null || b.Key > newest.Seq).OrderBy(b => b.Key).Select(b => (b.Key, b.Value.Offset)).ToList();
        return new JournalReplay(journalId, entries, newest, maxSeen, tail, torn);
    }

    private static void ScanRegion(byte[] data, int region, long regionOffset, int blockSize, ulong journalId, Dictionary<long, JournalEntry> valid, Dictionary<long, (long Offset, bool IsFlush)> bad, ref long maxSeen)
    {
        int position = 0;
        while (position + JournalEntryFormat.HeaderSize <= data.Length)
        {
            JournalEntryFormat.Header? parsed = JournalEntryFormat.TryReadHeader(data.AsSpan(position), journalId, data.Length - position);
            if (parsed is not { } header)
            {
                position += blockSize;
                continue;
            }

            maxSeen = Math.Max(maxSeen, header.Seq);
            var bytes = new ReadOnlyMemory<byte>(data, position, header.Length);
            uint stored = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(bytes.Span[JournalEntryFormat.ChecksumOffset..]);
            List<JournalRecord>? records = stored == JournalEntryFormat.Checksum(bytes.Span) ? JournalEntryFormat.TryReadRecords(bytes) : null;
            if (records is null)
            {
                // Torn or corrupt: its length cannot be trusted, so look for the next header block by block.
                bad.TryAdd(header.Seq, (regionOffset + position, header.IsFlush));

                position += blockSize;
                continue;
            }

            valid.TryAdd(header.Seq, new JournalEntry(header.Seq, header.PrevSeq, header.LastSeq, header.IsFlush, regionOffset + position, header.Length, region, records));
            position += RoundUp(header.Length, blockSize);
        }
    }
}
