using System.Buffers.Binary;
using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// Makes the allocator's alloc-key changes durable and persistent. Every change the allocator
/// reports is kept as "unpersisted" until it is written to the Alloc btree (with the Freespace and
/// NeedDiscard index btrees) by a write-back transaction. Until then, every journal entry carries
/// the whole unpersisted set, appended by the journal's entry-write hook after the entry's last
/// reservation is released: so a change made before a commit is in that commit's entry or an
/// earlier one, and the newest entry alone tells mount which keys the Alloc btree does not have yet.
/// </summary>
/// <remarks>
/// <para>Replay: load the Alloc btree (after the journal's btree keys are replayed), then overlay the
/// newest entry's alloc records (<see cref="DecodeRecords"/>). The set per entry stays small because
/// write-back runs when it passes <see cref="WriteBackThreshold"/> keys, at freeze and at unmount.</para>
/// <para>Thread safety: <c>_lock</c> guards the set; the allocator's change event runs under the
/// allocator's lock and only takes <c>_lock</c> (lock order: allocator, then this); nothing here calls
/// the allocator while holding <c>_lock</c>.</para>
/// </remarks>
internal sealed class AllocJournal
{
    /// <summary>Journal record type of a batch of alloc keys (bucket u64 + encoded <see cref="AllocKey"/>, repeated).</summary>
    public const byte AllocRecordType = 0xE1;

    /// <summary>Journal record type saying the entry could not hold the whole unpersisted set (replay then overlays every entry's records in order).</summary>
    public const byte AllocOverflowRecordType = 0xE2;

    /// <summary>Bytes of one alloc key in a record.</summary>
    public const int EntrySize = 8 + AllocKey.EncodedSize;

    /// <summary>Buckets per write-back transaction: three btree updates each, about 200 bytes of journal.</summary>
    public const int BucketsPerTransaction = 24;

    /// <summary>Keys per record: records stay well under any record size limit.</summary>
    private const int KeysPerRecord = 64;

    private readonly object _lock = new();
    private readonly Dictionary<long, AllocKey> _unpersisted = [];
    private readonly List<(ulong Seq, KeyValuePair<long, AllocKey>[] Keys)> _written = []; // written back, awaiting their entry's write
    private readonly Dictionary<long, AllocKey> _writtenValue = []; // the newest value written back per bucket, until reaped
    private readonly SemaphoreSlim _writeBack = new(1, 1);
    private readonly int _writeBackThreshold;
    private long _overflows;
    private long _writeBacks;
    private long _keysWrittenBack;

    /// <summary>Creates the persistence with the journal hook's room in bytes (write-back starts at half of what fits).</summary>
    public AllocJournal(int hookReserveBytes)
    {
        _writeBackThreshold = Math.Max(8, hookReserveBytes / (EntrySize + 8) / 2);
    }

    /// <summary>Write back once this many keys are unpersisted (half of what one entry's hook can carry).</summary>
    public int WriteBackThreshold => _writeBackThreshold;

    /// <summary>Keys changed and not yet in the Alloc btree.</summary>
    public int UnpersistedCount
    {
        get
        {
            lock (_lock)
            {
                return _unpersisted.Count;
            }
        }
    }

    /// <summary>Keys changed and not yet written back (excluding those written back and waiting for their entry).</summary>
    public int PendingWriteBack
    {
        get
        {
            lock (_lock)
            {
                return _unpersisted.Count(e => !(_writtenValue.TryGetValue(e.Key, out AllocKey w) && w == e.Value));
            }
        }
    }

    /// <summary>Entries that could not carry the whole set.</summary>
    public long Overflows => Interlocked.Read(ref _overflows);

    /// <summary>Write-back transactions committed.</summary>
    public long WriteBacks => Interlocked.Read(ref _writeBacks);

    /// <summary>Alloc keys written to the btree.</summary>
    public long KeysWrittenBack => Interlocked.Read(ref _keysWrittenBack);

    /// <summary>The allocator's change handler (runs under the allocator's lock).</summary>
    public void OnChanged(BucketChange change)
    {
        lock (_lock)
        {
            _unpersisted[change.Bucket] = change.Key;
        }
    }

    /// <summary>
    /// Marks keys as unpersisted without a change event (the overlay found at mount). The sequence is
    /// read before the lock is taken: a lazy one that reads the allocator (its lock comes first in
    /// the lock order) must not run under this lock.
    /// </summary>
    public void AddUnpersisted(IEnumerable<KeyValuePair<long, AllocKey>> keys)
    {
        KeyValuePair<long, AllocKey>[] read = [.. keys];
        lock (_lock)
        {
            foreach (var (bucket, key) in read)
            {
                _unpersisted[bucket] = key;
            }
        }
    }

    /// <summary>
    /// Forgets keys written back by a commit whose entry is now written (<paramref name="writtenSeq"/>):
    /// only then have every older entry's hooks run (entries are written in order), so no older entry
    /// can still need them in its set. Keys that changed again stay.
    /// </summary>
    public void Reap(ulong writtenSeq)
    {
        lock (_lock)
        {
            ReapLocked(writtenSeq);
        }
    }

    private void ReapLocked(ulong writtenSeq)
    {
        int done = 0;
        while (done < _written.Count && _written[done].Seq <= writtenSeq)
        {
            foreach (var (bucket, key) in _written[done].Keys)
            {
                // Only the newest write-back of a bucket settles it: a value can come back (96 ->
                // 128 -> 96 sectors) after an older write-back of it while a newer one wrote another.
                if (!_writtenValue.TryGetValue(bucket, out AllocKey last) || last != key)
                {
                    continue;
                }

                _writtenValue.Remove(bucket);
                if (_unpersisted.TryGetValue(bucket, out AllocKey now) && now == key)
                {
                    _unpersisted.Remove(bucket);
                }
            }

            done++;
        }

        _written.RemoveRange(0, done);
    }

    /// <summary>A copy of the unpersisted set (for the clean section at unmount).</summary>
    public KeyValuePair<long, AllocKey>[] SnapshotUnpersisted()
    {
        lock (_lock)
        {
            return _unpersisted.ToArray();
        }
    }

    /// <summary>The journal's entry-write hook: appends the unpersisted set within <paramref name="remaining"/> bytes through <paramref name="add"/>.</summary>
    public void AppendRecords(ulong writtenSeq, Func<int> remaining, Action<byte, ReadOnlySpan<byte>> add, int recordHeaderSize)
    {
        KeyValuePair<long, AllocKey>[] set;
        lock (_lock)
        {
            ReapLocked(writtenSeq);
            if (_unpersisted.Count == 0)
            {
                return;
            }

            set = _unpersisted.ToArray();
        }

        Span<byte> buffer = stackalloc byte[KeysPerRecord * EntrySize];
        int index = 0;
        while (index < set.Length)
        {
            int room = ((remaining() - recordHeaderSize - (recordHeaderSize + 1)) / EntrySize); // keeps room for an overflow marker
            int count = Math.Min(Math.Min(KeysPerRecord, set.Length - index), room);
            if (count <= 0)
            {
                Interlocked.Increment(ref _overflows);
                if (remaining() >= recordHeaderSize + 1)
                {
                    add(AllocOverflowRecordType, [1]);
                }

                return;
            }

            for (int i = 0; i < count; i++)
            {
                var (bucket, key) = set[index + i];
                Span<byte> slot = buffer.Slice(i * EntrySize, EntrySize);
                BinaryPrimitives.WriteInt64LittleEndian(slot, bucket);
                key.Encode(slot[8..]);
            }

            add(AllocRecordType, buffer[..(count * EntrySize)]);
            index += count;
        }
    }

    /// <summary>Decodes one alloc record's keys.</summary>
    /// <exception cref="Format.CorruptStructureException">The payload is not a whole number of keys, or a key is invalid.</exception>
    public static IEnumerable<KeyValuePair<long, AllocKey>> DecodeRecords(ReadOnlyMemory<byte> payload)
    {
        if (payload.Length % EntrySize != 0)
        {
            throw new Format.CorruptStructureException("journal alloc record", -1, $"{payload.Length} bytes is not a multiple of {EntrySize}");
        }

        var keys = new List<KeyValuePair<long, AllocKey>>(payload.Length / EntrySize);
        for (int offset = 0; offset < payload.Length; offset += EntrySize)
        {
            ReadOnlySpan<byte> slot = payload.Span.Slice(offset, EntrySize);
            keys.Add(new(BinaryPrimitives.ReadInt64LittleEndian(slot), AllocKey.Decode(slot[8..])));
        }

        return keys;
    }

    /// <summary>The Alloc btree position of a bucket.</summary>
    public static Bpos PositionOf(long bucket) => new(0, (ulong)bucket);

    /// <summary>Whether the Freespace index holds the bucket with this key.</summary>
    public static bool InFreespaceIndex(AllocKey key) => key.DataType == BucketDataType.Free;

    /// <summary>Whether the NeedDiscard index holds the bucket with this key.</summary>
    public static bool InNeedDiscardIndex(AllocKey key) => key.DataType == BucketDataType.NeedDiscard;

    /// <summary>The value stored in the index btrees: the bucket's generation.</summary>
    public static byte[] IndexValue(AllocKey key)
    {
        byte[] value = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(value, key.Generation);
        return value;
    }

    /// <summary>Writes the key and its two index entries into <paramref name="tx"/>.</summary>
    public static void Stage(IKeyValueTransaction tx, long bucket, AllocKey key)
    {
        Bpos pos = PositionOf(bucket);
        tx.Set(BtreeId.Alloc, pos, key.Encode());
        if (InFreespaceIndex(key))
        {
            tx.Set(BtreeId.Freespace, pos, IndexValue(key));
        }
        else
        {
            tx.Delete(BtreeId.Freespace, pos);
        }

        if (InNeedDiscardIndex(key))
        {
            tx.Set(BtreeId.NeedDiscard, pos, IndexValue(key));
        }
        else
        {
            tx.Delete(BtreeId.NeedDiscard, pos);
        }
    }

    /// <summary>
    /// Writes every unpersisted key to the Alloc, Freespace and NeedDiscard btrees in one
    /// transaction of <paramref name="store"/> (the raw btrees, not behind the freeze gate). The keys
    /// stay in the set (and in every entry's records) until <see cref="Reap"/> sees the commit's entry
    /// written. One write-back at a time; returns the commit's sequence (0 when there was nothing to write).
    /// </summary>
    public ulong WriteBack(IKeyValueStore store)
    {
        _writeBack.Wait();
        try
        {
            KeyValuePair<long, AllocKey>[] set;
            lock (_lock)
            {
                // Keys already written back with this value only wait for their entry: not again.
                set = _unpersisted.Where(e => !(_writtenValue.TryGetValue(e.Key, out AllocKey w) && w == e.Value)).ToArray();
            }

            if (set.Length == 0)
            {
                return 0;
            }

            // Chunks keep each transaction well inside one journal reservation.
            ulong seq = 0;
            foreach (var chunk in set.Chunk(BucketsPerTransaction))
            {
                using var tx = store.Begin();
                foreach (var (bucket, key) in chunk)
                {
                    Stage(tx, bucket, key);
                }

                seq = Math.Max(seq, tx.Commit());
            }

            lock (_lock)
            {
                _written.Add((seq, set)); // forgotten by Reap once entry seq is written
                foreach (var (bucket, key) in set)
                {
                    _writtenValue[bucket] = key;
                }
            }

            Interlocked.Increment(ref _writeBacks);
            Interlocked.Add(ref _keysWrittenBack, set.Length);
            return seq;
        }
        finally
        {
            _writeBack.Release();
        }
    }

    /// <summary>Writes back if the set passed the threshold and no other write-back runs (commit path).</summary>
    public void WriteBackIfLarge(IKeyValueStore store)
    {
        int notWrittenBack;
        lock (_lock)
        {
            notWrittenBack = _unpersisted.Count - _writtenValue.Count;
        }

        if (notWrittenBack >= _writeBackThreshold && _writeBack.CurrentCount > 0)
        {
            WriteBack(store);
        }
    }
}
