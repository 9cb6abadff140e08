using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Fsck;

/// <summary>
/// Checks (and repairs) a filesystem on an unmounted device: btree node checksums (every node is
/// read and verified), alloc keys against what btree node pointers and data extents reference
/// (data type, sector counts, generations), stale or impossible pointers, the Freespace and
/// NeedDiscard indexes against the alloc keys, and, on a filesystem with the POSIX layer,
/// directory entries against inodes and link counts (<see cref="PosixCheck"/>).
/// </summary>
/// <remarks>
/// Check-only never writes (the journal is replayed in memory). Repair mounts read-write (replay,
/// alloc keys recomputed from the references), drops extents whose pointers cannot be valid,
/// rewrites every alloc key and index entry, unmounts cleanly, then checks again: a problem is
/// reported repaired when the second check no longer finds it. Repairs are idempotent: a
/// repair of a clean filesystem changes nothing a check can see.
/// </remarks>
public static class Fsck
{
    /// <summary>Checks (and with <see cref="FsckOptions.Repair"/>, repairs) the filesystem on <paramref name="device"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="DeviceException">The device failed.</exception>
    public static async Task<FsckReport> RunAsync(BlockDevice device, FsckOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        var (problems, counts, dropExtents, posix) = await CheckAsync(device, cancellationToken).ConfigureAwait(false);
        if (!options.Repair || problems.Count == 0)
        {
            return new FsckReport(problems, counts, options.Repair);
        }

        bool repaired = await RepairAsync(device, dropExtents, posix, cancellationToken).ConfigureAwait(false);
        var (after, afterCounts, _, _) = await CheckAsync(device, cancellationToken).ConfigureAwait(false);
        var left = after.Select(p => (p.Kind, p.Location)).ToHashSet();
        var marked = problems.Select(p => p with { Repaired = repaired && !left.Contains((p.Kind, p.Location)) }).ToList();
        marked.AddRange(after.Where(p => !problems.Any(q => q.Kind == p.Kind && q.Location == p.Location)));
        return new FsckReport(marked, afterCounts, repairMode: true);
    }

    private static async Task<(List<FsckProblem> Problems, FsckCounts Counts, List<Bpos> DropExtents, PosixCheck.Repairs Posix)> CheckAsync(BlockDevice device, CancellationToken ct)
    {
        var problems = new List<FsckProblem>();
        var drop = new List<Bpos>();
        var posix = PosixCheck.Repairs.None();
        MountedFilesystem fs;
        try
        {
            fs = await FileSystem.MountAsync(device, new MountOptions { ReadOnly = true, FlushInterval = TimeSpan.Zero }, ct).ConfigureAwait(false);
        }
        catch (FilesystemException e)
        {
            problems.Add(Classify(e));
            return (problems, new FsckCounts(0, 0, 0, 0, 0, false), drop, posix);
        }

        await using (fs.ConfigureAwait(false))
        {
            Superblock sb = fs.Superblock;
            var (probe, space) = fs.Probe;
            var scan = ReferenceScan.Run(probe, space, sb.BucketSize, sb.BlockSize, sb.FirstDataBucket, sb.DataBucketCount);
            foreach (var p in scan.Problems)
            {
                problems.Add(new FsckProblem(p.Kind == "node" ? FsckProblemKind.NodePointer : FsckProblemKind.DataPointer, p.Location, p.Message, false));
                if (p.Pos is { } pos && p.Btree == BtreeId.Extents)
                {
                    drop.Add(pos);
                }
            }

            var keys = fs.LoadedKeys;
            foreach (var (bucket, expected, actual, message) in scan.Compare(b => keys.GetValueOrDefault(b), sb.FirstDataBucket, sb.DataBucketCount))
            {
                bool stale = expected is { } u && actual.Generation > u.Generation;
                problems.Add(new FsckProblem(stale ? FsckProblemKind.DataPointer : FsckProblemKind.AllocKey, $"bucket {bucket}", message, false));
                if (stale && expected!.Value.DataType == BucketDataType.User)
                {
                    drop.AddRange(StaleExtents(probe, bucket, actual.Generation));
                }
            }

            CheckIndexes(probe, keys, fs.LoadedOverlay, sb, problems);
            bool posixChecked = PosixCheck.Run(probe, problems, posix);
            long keyCount = 0;
            using (var tx = probe.Begin())
            {
                foreach (BtreeId id in BtreeStore.AllBtrees)
                {
                    keyCount += tx.Range(id, Bpos.Min, Bpos.Max).LongCount();
                }
            }

            var counts = new FsckCounts(sb.BucketCount, scan.Nodes, keyCount, scan.Extents, fs.Mount.JournalEntriesReplayed, posixChecked);
            return (problems, counts, drop.Distinct().ToList(), posix);
        }
    }

    private static IEnumerable<Bpos> StaleExtents(BtreeStore store, long bucket, uint generation)
    {
        using var tx = store.Begin();
        return tx.Range(BtreeId.Extents, Bpos.Min, Bpos.Max)
            .Where(kv => ExtentValue.TryRead(kv.Value.Span, out var p) && (long)p.Bucket == bucket && p.Generation < generation)
            .Select(kv => kv.Key)
            .ToList();
    }

    private static void CheckIndexes(BtreeStore store, IReadOnlyDictionary<long, AllocKey> keys, IReadOnlyDictionary<long, AllocKey> overlay, Superblock sb, List<FsckProblem> problems)
    {
        using var tx = store.Begin();
        var alloc = tx.Range(BtreeId.Alloc, Bpos.Min, Bpos.Max).Select(kv => (long)kv.Key.Offset).ToHashSet();
        var free = tx.Range(BtreeId.Freespace, Bpos.Min, Bpos.Max).Select(kv => kv.Key).ToList();
        var discard = tx.Range(BtreeId.NeedDiscard, Bpos.Min, Bpos.Max).Select(kv => kv.Key).ToList();
        var freeSet = free.Where(p => p.Inode == 0).Select(p => (long)p.Offset).ToHashSet();
        var discardSet = discard.Where(p => p.Inode == 0).Select(p => (long)p.Offset).ToHashSet();
        foreach (var p in free.Where(p => p.Inode != 0 || (long)p.Offset < sb.FirstDataBucket || (long)p.Offset >= sb.FirstDataBucket + sb.DataBucketCount))
        {
            problems.Add(new FsckProblem(FsckProblemKind.FreespaceIndex, $"freespace {p}", "entry outside the data buckets", false));
        }

        foreach (var p in discard.Where(p => p.Inode != 0 || (long)p.Offset < sb.FirstDataBucket || (long)p.Offset >= sb.FirstDataBucket + sb.DataBucketCount))
        {
            problems.Add(new FsckProblem(FsckProblemKind.NeedDiscardIndex, $"need_discard {p}", "entry outside the data buckets", false));
        }

        for (long b = sb.FirstDataBucket; b < sb.FirstDataBucket + sb.DataBucketCount; b++)
        {
            if (overlay.ContainsKey(b))
            {
                continue; // its key and index entries are still only in the journal: written at the next write-back
            }

            if (!alloc.Contains(b))
            {
                problems.Add(new FsckProblem(FsckProblemKind.AllocKey, $"bucket {b}", "no alloc key in the Alloc btree", false));
                continue;
            }

            AllocKey key = keys.GetValueOrDefault(b);
            if (AllocJournal.InFreespaceIndex(key) != freeSet.Contains(b))
            {
                problems.Add(new FsckProblem(FsckProblemKind.FreespaceIndex, $"bucket {b}", $"alloc key says {key.DataType} but the freespace index {(freeSet.Contains(b) ? "holds" : "lacks")} it", false));
            }

            if (AllocJournal.InNeedDiscardIndex(key) != discardSet.Contains(b))
            {
                problems.Add(new FsckProblem(FsckProblemKind.NeedDiscardIndex, $"bucket {b}", $"alloc key says {key.DataType} but the need_discard index {(discardSet.Contains(b) ? "holds" : "lacks")} it", false));
            }
        }
    }

    private static async Task<bool> RepairAsync(BlockDevice device, List<Bpos> dropExtents, PosixCheck.Repairs posix, CancellationToken ct)
    {
        MountedFilesystem fs;
        try
        {
            fs = await FileSystem.MountAsync(device, new MountOptions { FlushInterval = TimeSpan.Zero, ForceAllocCorrection = true }, ct).ConfigureAwait(false);
        }
        catch (FilesystemException)
        {
            return false; // unmountable (a corrupt node or superblock): nothing this fsck can rebuild
        }

        await using (fs.ConfigureAwait(false))
        {
            if (dropExtents.Count > 0)
            {
                using var tx = fs.Store.Begin();
                foreach (Bpos pos in dropExtents)
                {
                    tx.Delete(BtreeId.Extents, pos);
                }

                tx.Commit();
            }

            PosixCheck.Repair(fs.Store, posix);

            // Rewrite every alloc key and both indexes from the (corrected) allocator, and delete stray index entries.
            var sb = fs.Superblock;
            using (var tx = fs.Store.Begin())
            {
                var stray = tx.Range(BtreeId.Freespace, Bpos.Min, Bpos.Max).Select(kv => (BtreeId.Freespace, kv.Key))
                    .Concat(tx.Range(BtreeId.NeedDiscard, Bpos.Min, Bpos.Max).Select(kv => (BtreeId.NeedDiscard, kv.Key)))
                    .Where(e => e.Key.Inode != 0 || (long)e.Key.Offset < sb.FirstDataBucket || (long)e.Key.Offset >= sb.FirstDataBucket + sb.DataBucketCount)
                    .ToList();
                foreach (var (id, pos) in stray)
                {
                    tx.Delete(id, pos);
                }

                tx.Commit();
            }

            fs.Allocator.ReportAllKeys();
            await fs.UnmountAsync(ct).ConfigureAwait(false);
        }

        return true;
    }

    private static FsckProblem Classify(FilesystemException e) => e switch
    {
        BtreeNodeCorruptException => new FsckProblem(FsckProblemKind.NodeChecksum, "btree node", e.Message, false),
        JournalChecksumException j => new FsckProblem(FsckProblemKind.Journal, $"journal entry {j.Seq} at {j.Offset}", e.Message, false),
        ChecksumMismatchException or CorruptStructureException when e.Message.Contains("superblock", StringComparison.OrdinalIgnoreCase) => new FsckProblem(FsckProblemKind.Superblock, "superblock", e.Message, false),
        ForeignFilesystemException or UnsupportedFormatVersionException => throw e,
        _ => new FsckProblem(FsckProblemKind.NodeChecksum, "btree", e.Message, false),
    };
}
