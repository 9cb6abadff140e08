using Primitives.Counters;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Alloc;

/// <summary>
/// The in-memory bucket table of a mounted filesystem: every bucket's <see cref="AllocKey"/>, the
/// freespace and need_discard indexes, the buckets waiting for a journal entry to become durable,
/// the discard gate, write points for sequential sub-bucket allocation, and the free-space
/// reservation for user data.
/// </summary>
/// <remarks>
/// <para><b>Bucket lifecycle.</b> free → (allocate: generation bumped) in use → (last sector
/// released at journal sequence S) empty, waiting for S durable → (<see cref="OnJournalDurable"/>)
/// need_discard → (the <see cref="DiscardWorker"/> discards it) free. A bucket emptied at S is never
/// reused before S is durable, so a crash cannot replay old pointers onto new data.</para>
/// <para><b>The discard gate.</b> Every path that claims a bucket (<see cref="Allocate"/>, the
/// write points, <see cref="TryClaim"/>) goes through one method, <c>ClaimThroughGate</c>, which
/// refuses a bucket whose discard is in flight. The discard worker registers a bucket in flight
/// and removes it from the indexes under the lock, issues the discard unlocked, and completes it
/// under the lock; since no claim can take an in-flight bucket, a discard completion never meets a
/// reclaimed bucket and a claimed bucket is never discarded, by construction (the seed-000 race).</para>
/// <para><b>Changes.</b> <see cref="Changed"/> reports every alloc key change, in order, under the
/// allocator's lock: handlers must be quick and must not call back into the allocator.</para>
/// <para><b>Thread safety.</b> Every public member is thread-safe (one <see cref="Monitor"/> lock,
/// which Coyote controls; the device is never called under it).</para>
/// </remarks>
public sealed partial class BucketAllocator
{
    private readonly object _lock = new();
    private readonly AllocKey[] _keys;
    private readonly bool[] _open; // the bucket is some write point's current bucket
    private readonly SortedSet<long> _free = [];
    private readonly SortedSet<long> _needDiscard = [];
    private readonly SortedSet<(ulong Seq, long Bucket)> _waiting = [];
    private readonly SortedSet<long> _dirty = []; // changed since the last DrainChanges
    private readonly PerCpuReservation _userSpace;
    private readonly BucketAllocatorOptions _options;
    private ulong _durableSeq;

    private BucketAllocator(Superblock superblock, BucketAllocatorOptions options)
    {
        BucketSize = superblock.BucketSize;
        BlockSize = superblock.BlockSize;
        BucketCount = superblock.BucketCount;
        FirstDataBucket = superblock.FirstDataBucket;
        DataBucketCount = superblock.DataBucketCount;
        _options = options;
        ReserveBuckets = Math.Max(1, DataBucketCount * options.ReservePercent / 100);
        _keys = new AllocKey[checked((int)BucketCount)];
        _open = new bool[_keys.Length];
        long userBlocks = Math.Max(0, DataBucketCount - ReserveBuckets) * (BucketSize / BlockSize);
        _userSpace = new PerCpuReservation(userBlocks, chunkSize: Math.Max(1, BucketSize / BlockSize));
    }

    /// <summary>Reports every alloc key change (bucket, new key), in order, under the allocator's lock.</summary>
    public event Action<BucketChange>? Changed;

    /// <summary>Called (outside the lock) when buckets became ready for discard; the <see cref="DiscardWorker"/> subscribes.</summary>
    internal event Action? NeedDiscardReady;

    /// <summary>The bucket size in bytes.</summary>
    public int BucketSize { get; }

    /// <summary>The filesystem block size: the unit of <see cref="AllocateSpace"/>.</summary>
    public int BlockSize { get; }

    /// <summary>The number of buckets on the device.</summary>
    public long BucketCount { get; }

    /// <summary>The first bucket for btree nodes and user data.</summary>
    public long FirstDataBucket { get; }

    /// <summary>The number of buckets for btree nodes and user data.</summary>
    public long DataBucketCount { get; }

    /// <summary>Free buckets user data may not take (kept for btree and journal writes).</summary>
    public long ReserveBuckets { get; }

    /// <summary>Whether emptied buckets are discarded before reuse.</summary>
    public bool DiscardEnabled => _options.Discard;

    /// <summary>The newest journal sequence known durable (<see cref="OnJournalDurable"/>).</summary>
    public ulong DurableSeq
    {
        get
        {
            lock (_lock)
            {
                return _durableSeq;
            }
        }
    }

    /// <summary>
    /// Builds the allocator from the superblock's geometry and the alloc keys read at mount. Buckets
    /// without a key get the default for their place: bucket 0 and the last bucket hold the
    /// superblock, the journal buckets the journal, every other bucket is free with generation 0.
    /// </summary>
    /// <param name="superblock">The filesystem's geometry.</param>
    /// <param name="keys">The stored alloc keys by bucket, or <see langword="null"/> for a fresh filesystem.</param>
    /// <param name="durableSeq">The newest journal sequence known durable (at mount, the last one replayed).</param>
    /// <param name="options">Tunables, or <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentNullException"><paramref name="superblock"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A key's bucket is outside the device.</exception>
    /// <exception cref="CorruptStructureException">A key contradicts the layout (e.g. a journal bucket marked free) or has more dirty sectors than the bucket holds.</exception>
    public static BucketAllocator Create(Superblock superblock, IEnumerable<KeyValuePair<long, AllocKey>>? keys = null, ulong durableSeq = 0, BucketAllocatorOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(superblock);
        options ??= new BucketAllocatorOptions();
        options.Validate();
        superblock.Validate();
        var allocator = new BucketAllocator(superblock, options);
        allocator.Load(superblock, keys ?? [], durableSeq);
        return allocator;
    }

    /// <summary>The alloc key of <paramref name="bucket"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bucket"/> is outside the device.</exception>
    public AllocKey GetKey(long bucket)
    {
        CheckBucket(bucket);
        lock (_lock)
        {
            return _keys[bucket];
        }
    }

    /// <summary>A consistent copy of the whole table and its counts.</summary>
    public AllocatorSnapshot Snapshot()
    {
        lock (_lock)
        {
            long inUseEmpty = 0;
            for (long b = FirstDataBucket; b < FirstDataBucket + DataBucketCount; b++)
            {
                if (_keys[b].IsInUse && _keys[b].DirtySectors == 0 && !_open[b])
                {
                    inUseEmpty++;
                }
            }

            return new AllocatorSnapshot(
                (AllocKey[])_keys.Clone(),
                _free.Count,
                _needDiscard.Count,
                _waiting.Count,
                _discarding.Count,
                _durableSeq,
                _userSpace.Available * BlockSize,
                inUseEmpty,
                _violations.ToArray());
        }
    }

    private void Load(Superblock superblock, IEnumerable<KeyValuePair<long, AllocKey>> keys, ulong durableSeq)
    {
        _durableSeq = durableSeq;
        var fixedType = new Dictionary<long, BucketDataType> { [0] = BucketDataType.Superblock, [BucketCount - 1] = BucketDataType.Superblock };
        foreach (long j in superblock.JournalBuckets)
        {
            fixedType[j] = BucketDataType.Journal;
        }

        for (long b = 0; b < BucketCount; b++)
        {
            _keys[b] = fixedType.TryGetValue(b, out BucketDataType t) ? new AllocKey(0, t, 0, false, 0, 0) : default;
        }

        foreach ((long bucket, AllocKey key) in keys)
        {
            CheckBucket(bucket);
            if (fixedType.TryGetValue(bucket, out BucketDataType t) && key.DataType != t)
            {
                throw new CorruptStructureException(AllocKey.StructureName, -1, $"bucket {bucket} is {t} in the layout but its key says {key.DataType}");
            }

            if (!fixedType.ContainsKey(bucket) && key.DataType is BucketDataType.Superblock or BucketDataType.Journal)
            {
                throw new CorruptStructureException(AllocKey.StructureName, -1, $"bucket {bucket} is a data bucket but its key says {key.DataType}");
            }

            if ((long)key.DirtySectors * AllocKey.SectorSize > BucketSize)
            {
                throw new CorruptStructureException(AllocKey.StructureName, -1, $"bucket {bucket} has {key.DirtySectors} dirty sectors, more than its {BucketSize / AllocKey.SectorSize}");
            }

            _keys[bucket] = key;
        }

        long userBlocks = 0;
        for (long b = FirstDataBucket; b < FirstDataBucket + DataBucketCount; b++)
        {
            AllocKey key = _keys[b];
            switch (key.DataType)
            {
                case BucketDataType.Free:
                    _free.Add(b);
                    break;
                case BucketDataType.NeedDiscard:
                    if (key.JournalSeqEmpty <= _durableSeq)
                    {
                        BecomeReadyLocked(b, notify: false);
                    }
                    else
                    {
                        _waiting.Add((key.JournalSeqEmpty, b));
                    }

                    break;
                case BucketDataType.User:
                    userBlocks += BlocksOf(key.DirtySectors);
                    break;
            }
        }

        if (!_userSpace.TryReserve(userBlocks))
        {
            throw new CorruptStructureException(AllocKey.StructureName, -1, $"user data uses {userBlocks} blocks, more than the {_userSpace.Capacity} available outside the reserve");
        }
    }

    private long BlocksOf(uint sectors) => ((long)sectors * AllocKey.SectorSize + BlockSize - 1) / BlockSize;

    private void CheckBucket(long bucket) => ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((ulong)bucket, (ulong)BucketCount, nameof(bucket));

    private bool IsDataBucket(long bucket) => bucket >= FirstDataBucket && bucket < FirstDataBucket + DataBucketCount;

    /// <summary>
    /// Reports every bucket's current key as a change (<see cref="Changed"/> and the drain set), under
    /// the allocator's lock, so no change can come between a key's read and its report: fsck's repair
    /// uses it to have every alloc key rewritten. (Reading keys one by one and handing them to a
    /// consumer that holds its own lock meanwhile inverted the lock order, allocator then consumer,
    /// and deadlocked against a completing discard.)
    /// </summary>
    public void ReportAllKeys()
    {
        lock (_lock)
        {
            for (long bucket = 0; bucket < BucketCount; bucket++)
            {
                SetKeyLocked(bucket, _keys[bucket]);
            }
        }
    }

    /// <summary>
    /// The buckets whose alloc key changed since the last drain, each with its latest key, in
    /// bucket order; clears the set. The pull-style twin of <see cref="Changed"/>: the engine drains
    /// it when it writes a journal entry, so every key change is journalled once, in its newest form.
    /// </summary>
    public IReadOnlyList<BucketChange> DrainChanges()
    {
        lock (_lock)
        {
            if (_dirty.Count == 0)
            {
                return [];
            }

            var changes = new BucketChange[_dirty.Count];
            int i = 0;
            foreach (long bucket in _dirty)
            {
                changes[i++] = new BucketChange(bucket, _keys[bucket]);
            }

            _dirty.Clear();
            return changes;
        }
    }

    private void SetKeyLocked(long bucket, AllocKey key)
    {
        _keys[bucket] = key;
        _dirty.Add(bucket);
        Changed?.Invoke(new BucketChange(bucket, key));
    }
}
