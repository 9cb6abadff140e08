using System.Diagnostics;
using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Engine;

/// <content>Bringing a filesystem up: each step registers its undo; a failure unwinds them in reverse.</content>
public sealed partial class MountedFilesystem
{
    /// <summary>Mount step names, in order (the <see cref="MountOptions.StepHook"/> sees these).</summary>
    internal static readonly string[] MountSteps =
    [
        "read superblock", "read journal", "load alloc keys", "create allocator", "mark unclean", "open journal",
        "open btrees", "reconcile allocations", "write back alloc keys", "start discard worker", "start flusher",
    ];

    internal static async Task<MountedFilesystem> OpenAsync(BlockDevice device, MountOptions options, CancellationToken cancellationToken)
    {
        var fs = new MountedFilesystem(device, options);
        var undo = new InitStack();
        long start = Stopwatch.GetTimestamp();
        try
        {
            await fs.BringUpAsync(undo, start, cancellationToken).ConfigureAwait(false);
            undo.Commit();
            return fs;
        }
        catch (Exception failure)
        {
            fs._gate.SetReadOnly("the mount failed");
            var undoErrors = await undo.UnwindAsync().ConfigureAwait(false);
            await fs.TeardownAsync(fence: true).ConfigureAwait(false);
            Interlocked.Exchange(ref fs._disposed, 1);
            fs._stop.Dispose();
            fs._control.Dispose();
            if (undoErrors.Count > 0)
            {
                throw new AggregateException($"mounting {device.Name} failed ({failure.Message}) and {undoErrors.Count} undo step(s) failed too", [failure, .. undoErrors]);
            }

            if (failure is FilesystemException or OperationCanceledException or ArgumentException)
            {
                throw;
            }

            throw new FilesystemException($"mounting {device.Name} failed: {failure.Message}", failure);
        }
    }

    private void Step(string name) => _options.StepHook?.Invoke(name);

    private async Task BringUpAsync(InitStack undo, long start, CancellationToken ct)
    {
        // 1. Read-only work first: nothing is written until every structure has been read and validated.
        Step("read superblock");
        SuperblockReadResult read = await SuperblockIO.ReadAsync(_device, ct).ConfigureAwait(false);
        _superblock = read.Superblock;
        if (_superblock.BucketCount * _superblock.BucketSize > _device.Size)
        {
            throw new CorruptStructureException(Superblock.StructureName, read.Offset, $"describes {_superblock.BucketCount} buckets of {_superblock.BucketSize} bytes, more than {_device.Name}'s {_device.Size} bytes");
        }

        _allocJournal = new AllocJournal(FileSystem.JournalOptionsFor(_superblock, _options, OnEntryWrite).HookReserveBytes);

        Step("read journal");
        JournalRegion[] regions = FileSystem.JournalRegions(_superblock);
        JournalReplay replay = await Journaling.Journal.ReadAsync(_device, regions, _superblock.BlockSize, FileSystem.JournalIdOf(_superblock), ct).ConfigureAwait(false);
        ReplayedState replayed = ReplayedState.Interpret(replay);
        BtreeRoots roots = _superblock.IsClean
            ? CleanSection.Decode(_superblock.CleanSection.Span, read.Offset)
            : replayed.NewestRoots ?? (_superblock.CleanSection.IsEmpty
                ? throw new CorruptStructureException("journal", regions[0].Offset, "no journal entry holds btree roots and the superblock has no clean section")
                : CleanSection.Decode(_superblock.CleanSection.Span, read.Offset));
        ulong newestSeq = replayed.NewestSeq;
        var btreeOptions = new BtreeStoreOptions { NodeSize = _superblock.BtreeNodeSize };

        Step("load alloc keys");
        var probeSpace = new ProbeNodeSpace(_device, _superblock.BtreeNodeSize);
        BtreeStore probe = await BtreeStore.OpenAsync(probeSpace, new NullJournal(newestSeq), roots, newestSeq, replayed.BtreeRecords, btreeOptions, ct).ConfigureAwait(false);
        var keys = new Dictionary<long, AllocKey>();
        using (var tx = probe.Begin())
        {
            foreach (var (pos, value) in tx.Range(BtreeId.Alloc, Bpos.Min, Bpos.Max))
            {
                keys[(long)pos.Offset] = DecodeAllocKey(pos, value.Span);
            }
        }

        foreach (var (bucket, key) in replayed.AllocOverlay)
        {
            keys[bucket] = key;
        }

        // After an unclean shutdown the alloc keys may run ahead of or behind the btrees (space
        // allocated or freed around the crash): correct them from what the replayed btrees reference
        // (bcachefs's mark and sweep at recovery) before anything can be allocated.
        Dictionary<long, AllocKey> corrected = [];
        if ((!read.Superblock.IsClean || _options.ForceAllocCorrection) && !_options.ReadOnly)
        {
            var scan = ReferenceScan.Run(probe, probeSpace, _superblock.BucketSize, _superblock.BlockSize, _superblock.FirstDataBucket, _superblock.DataBucketCount);
            corrected = scan.Correct(keys, _superblock.FirstDataBucket, _superblock.DataBucketCount, newestSeq);
            Reconciled = corrected.Count;

        }

        LoadedKeys = keys;
        LoadedOverlay = replayed.AllocOverlay;
        Probe = (probe, probeSpace);

        Step("create allocator");
        _allocator = BucketAllocator.Create(_superblock, keys, newestSeq, new BucketAllocatorOptions { Discard = _options.Discard && !_options.ReadOnly });
        _allocJournal.AddUnpersisted(replayed.AllocOverlay);
        _allocJournal.AddUnpersisted(corrected);
        _allocator.Changed += _allocJournal.OnChanged;
        undo.Push("create allocator", () => _allocator.Changed -= _allocJournal.OnChanged);

        if (_options.ReadOnly)
        {
            _store = probe;
            _nodeSpace = probeSpace;
            _gate.SetReadOnly("mounted read-only");
            KeyValues = new EngineKeyValueStore(probe, _gate, Statistics, static (_, _) => ValueTask.CompletedTask, afterCommit: null);
            Data = new EngineDataStore(new BucketDataStore(_allocator, _device), _gate, Statistics);
            Mount = new MountReport(_superblock.IsClean, replayed.Entries, replayed.BtreeRecords.Count, replayed.AllocKeys, newestSeq, Stopwatch.GetElapsedTime(start));
            return;
        }

        // 2. Claim: from here on the device is written. The superblock says unclean first, so a
        //    crash anywhere below makes the next mount replay the journal.
        Step("mark unclean");
        _superblock = await SuperblockIO.WriteAsync(_device, _superblock with { IsClean = false }, ct).ConfigureAwait(false);

        Step("open journal");
        var journalOptions = FileSystem.JournalOptionsFor(_superblock, _options, OnEntryWrite);
        _reclaimThreshold = Math.Max(2, (int)((long)_superblock.BucketSize * regions.Length / journalOptions.MaxEntrySize / 4));
        _journal = Journaling.Journal.Open(_device, regions, _superblock.BlockSize, FileSystem.JournalOptionsFor(_superblock, _options, OnEntryWrite), replay);
        _journal.DurableSeqAdvanced += OnDurable;
        undo.Push("open journal", () => _journal.DurableSeqAdvanced -= OnDurable);
        _journalAdapter = new JournalAdapter(_journal);

        Step("open btrees");
        var space = new NodeSpace(_allocator, _device, _superblock.BtreeNodeSize, readOnly: false);
        _nodeSpace = space;
        _store = await BtreeStore.OpenAsync(space, _journalAdapter, roots, newestSeq, replayed.BtreeRecords, btreeOptions, ct).ConfigureAwait(false);
        Volatile.Write(ref _storeForHook, _store);
        if (replay.Newest is not null)
        {
            _journal.CompleteReplay();
        }

        Step("reconcile allocations");
        Probe = default; // the probe's memory is no longer needed

        Step("write back alloc keys");
        _allocJournal.WriteBack(_store);

        Step("start discard worker");
        if (_allocator.DiscardEnabled)
        {
            _discard = new DiscardWorker(_allocator, _device);
            _discard.Start();
            undo.Push("start discard worker", async () =>
            {
                var discard = _discard;
                _discard = null;
                await discard.DisposeAsync().ConfigureAwait(false);
            });
        }

        Step("start flusher");
        KeyValues = new EngineKeyValueStore(_store, _gate, Statistics, (seq, c) => _journalAdapter.FlushAsync(seq, writeBack: false, c), afterCommit: () =>
        {
            _allocJournal.WriteBackIfLarge(_store);
            KickNodeWrites();
        });
        Data = new EngineDataStore(new BucketDataStore(_allocator, _device), _gate, Statistics);
        if (_options.FlushInterval > TimeSpan.Zero)
        {
            _flusher = Task.Run(() => FlushLoopAsync(_stop.Token), CancellationToken.None);
        }

        _reclaimer = Task.Run(() => ReclaimLoopAsync(_stop.Token), CancellationToken.None);

        Mount = new MountReport(read.Superblock.IsClean, replayed.Entries, replayed.BtreeRecords.Count, replayed.AllocKeys, newestSeq, Stopwatch.GetElapsedTime(start));
    }

    /// <summary>Buckets whose alloc key the unclean-mount reconciliation corrected.</summary>
    internal int Reconciled { get; private set; }

    /// <summary>The alloc keys as read at mount (Alloc btree plus the journal's overlay, plus corrections): fsck compares against these.</summary>
    internal Dictionary<long, AllocKey> LoadedKeys { get; private set; } = [];

    /// <summary>The buckets whose keys came from the journal (not yet written to the Alloc btree and its indexes).</summary>
    internal IReadOnlyDictionary<long, AllocKey> LoadedOverlay { get; private set; } = new Dictionary<long, AllocKey>();

    /// <summary>The read-only probe store and its space (read-only mounts keep it as the store).</summary>
    internal (BtreeStore Store, ProbeNodeSpace Space) Probe { get; private set; }

    private static AllocKey DecodeAllocKey(Bpos pos, ReadOnlySpan<byte> value)
    {
        try
        {
            return AllocKey.Decode(value);
        }
        catch (CorruptStructureException e)
        {
            throw new CorruptStructureException(AllocKey.StructureName, -1, $"alloc key of bucket {pos.Offset}: {e.Message}", e);
        }
    }

    private void OnEntryWrite(JournalEntryAppender appender)
    {
        if (Volatile.Read(ref _storeForHook) is { } store)
        {
            byte[] roots = store.RootsAt((ulong)appender.Seq).Encode();
            if (Journaling.Journal.RecordSize(roots.Length) <= appender.Remaining)
            {
                appender.Add(ReplayedState.RootsRecordType, roots);
            }
        }

        ulong written = (ulong)Math.Max(0, Volatile.Read(ref _journal)?.WrittenSeq ?? 0);
        _allocJournal.AppendRecords(written, () => appender.Remaining, appender.Add, Journaling.Journal.RecordSize(0));
    }

    private void OnDurable(long seq) => _allocator?.OnJournalDurable((ulong)seq);

    /// <summary>How often the reclaim watchdog looks at the journal's fill level.</summary>
    private static readonly TimeSpan ReclaimPollInterval = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Proactive reclaim, independent of commits (which may all be waiting for journal space): when
    /// the journal fills past the threshold, write dirty nodes and move stale pins while there is
    /// still room for the node writes' own pointer updates.
    /// </summary>
    private async Task ReclaimLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ReclaimPollInterval, ct).ConfigureAwait(false);
                if (!_gate.IsFrozen)
                {
                    KickNodeWrites();
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
        }
    }

    private async Task FlushLoopAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.FlushInterval, ct).ConfigureAwait(false);
                if (_gate.IsFrozen || _journal is not { } journal)
                {
                    continue;
                }

                _allocJournal.WriteBackIfLarge(_store!);
                KickNodeWrites();
                long current = journal.CurrentSeq;
                if (current > journal.DurableSeq)
                {
                    await journal.FlushAsync(current, ct).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (FilesystemException)
            {
                // The journal failed or shut down: the writers see it on their own calls.
                return;
            }
        }
    }
}
