using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Engine;

/// <summary>What the btrees say one bucket should hold: its data type, live sectors and the generation pointers carry.</summary>
/// <param name="DataType">Btree or User.</param>
/// <param name="Sectors">512-byte sectors referenced.</param>
/// <param name="Generation">The generation the (first) pointer into it carries.</param>
/// <param name="References">Pointers into it.</param>
internal readonly record struct BucketUsage(BucketDataType DataType, uint Sectors, uint Generation, int References);

/// <summary>A pointer that cannot be right whatever the alloc keys say.</summary>
/// <param name="Kind">Node or data pointer.</param>
/// <param name="Location">Where the pointer is (btree and position, or the node).</param>
/// <param name="Message">What is wrong.</param>
/// <param name="Btree">The btree holding the pointer.</param>
/// <param name="Pos">The key holding the pointer (extents), or null for a node location.</param>
internal sealed record PointerProblem(string Kind, string Location, string Message, BtreeId Btree, Bpos? Pos);

/// <summary>
/// Mark phase of a bcachefs-style mark and sweep: walks every btree node location and every data
/// extent and computes what each bucket must hold. Mount runs it after an unclean shutdown to
/// correct the allocator (space allocated just before a crash whose references did not survive);
/// fsck runs it to check the alloc keys.
/// </summary>
internal sealed class ReferenceScan
{
    private ReferenceScan(Dictionary<long, BucketUsage> usage, List<PointerProblem> problems, long nodes, long extents)
    {
        Usage = usage;
        Problems = problems;
        Nodes = nodes;
        Extents = extents;
    }

    /// <summary>Expected usage of every referenced bucket.</summary>
    public IReadOnlyDictionary<long, BucketUsage> Usage { get; }

    /// <summary>Pointers that are wrong on their own (outside the device, overlapping types, mixed generations).</summary>
    public IReadOnlyList<PointerProblem> Problems { get; }

    /// <summary>Written btree nodes seen.</summary>
    public long Nodes { get; }

    /// <summary>Data extents seen.</summary>
    public long Extents { get; }

    /// <summary>Scans <paramref name="nodes"/> and the Extents btree of <paramref name="store"/>.</summary>
    public static ReferenceScan Run(IReadOnlyList<BtreeNodeInfo> nodes, IKeyValueStore store, int nodeSize, int bucketSize, int blockSize, long firstDataBucket, long dataBuckets)
        => Run(nodes.Where(n => n.Location is not null).Select(n => (n.Btree, n.Level, n.Location!.Value)).ToList(), store, nodeSize, bucketSize, blockSize, firstDataBucket, dataBuckets);

    /// <summary>Scans a probe store: its nodes on the device plus the device locations it rewrote in memory (live on disk).</summary>
    public static ReferenceScan Run(BtreeStore probe, ProbeNodeSpace space, int bucketSize, int blockSize, long firstDataBucket, long dataBuckets)
    {
        var nodes = probe.GetNodes().Where(n => n.Location is { } l && !space.IsInMemory(l)).Select(n => (n.Btree, n.Level, n.Location!.Value)).ToList();
        nodes.AddRange(space.FreedDeviceLocations.Select(l => (BtreeId.Alloc, -1, l)));
        return Run(nodes, probe, space.NodeSize, bucketSize, blockSize, firstDataBucket, dataBuckets);
    }

    private static ReferenceScan Run(List<(BtreeId Btree, int Level, NodeLocation Location)> nodes, IKeyValueStore store, int nodeSize, int bucketSize, int blockSize, long firstDataBucket, long dataBuckets)
    {
        var usage = new Dictionary<long, BucketUsage>();
        var problems = new List<PointerProblem>();
        long nodeCount = 0, extentCount = 0;
        bool InRange(long bucket) => bucket >= firstDataBucket && bucket < firstDataBucket + dataBuckets;

        void Mark(long bucket, BucketDataType type, uint sectors, uint generation, string kind, string where, BtreeId btree, Bpos? pos)
        {
            if (!InRange(bucket))
            {
                problems.Add(new PointerProblem(kind, where, $"points at bucket {bucket}, outside the data buckets [{firstDataBucket}, {firstDataBucket + dataBuckets})", btree, pos));
                return;
            }

            if (usage.TryGetValue(bucket, out BucketUsage u))
            {
                if (u.DataType != type)
                {
                    problems.Add(new PointerProblem(kind, where, $"points into bucket {bucket} as {type}, but other pointers use it for {u.DataType}", btree, pos));
                    return;
                }

                if (u.Generation != generation)
                {
                    problems.Add(new PointerProblem(kind, where, $"carries generation {generation} of bucket {bucket}, other pointers carry {u.Generation}", btree, pos));
                    return;
                }

                usage[bucket] = u with { Sectors = u.Sectors + sectors, References = u.References + 1 };
            }
            else
            {
                usage[bucket] = new BucketUsage(type, sectors, generation, 1);
            }
        }

        uint nodeSectors = (uint)(nodeSize / AllocKey.SectorSize);
        foreach (var node in nodes)
        {
            NodeLocation location = node.Location;
            nodeCount++;
            if (location.Offset % nodeSize != 0)
            {
                problems.Add(new PointerProblem("node", $"{node.Btree} level {node.Level} node {location}", $"offset {location.Offset} is not a multiple of the node size {nodeSize}", node.Btree, null));
                continue;
            }

            Mark(location.Offset / bucketSize, BucketDataType.Btree, nodeSectors, location.Generation, "node", $"{node.Btree} level {node.Level} node {location}", node.Btree, null);
        }

        using (var tx = store.Begin())
        {
            foreach (var (pos, value) in tx.Range(BtreeId.Extents, Bpos.Min, Bpos.Max))
            {
                extentCount++;
                string where = $"Extents {pos}";
                if (!ExtentValue.TryRead(value.Span, out var pointer))
                {
                    problems.Add(new PointerProblem("data", where, $"value of {value.Length} bytes holds no data pointer", BtreeId.Extents, pos));
                    continue;
                }

                long rounded = ((long)pointer.Length + blockSize - 1) / blockSize * blockSize;
                if (pointer.Length == 0 || pointer.Offset % blockSize != 0 || pointer.Offset + rounded > bucketSize)
                {
                    problems.Add(new PointerProblem("data", where, $"pointer {pointer} is not a block-aligned range inside a {bucketSize}-byte bucket", BtreeId.Extents, pos));
                    continue;
                }

                Mark((long)pointer.Bucket, BucketDataType.User, (uint)(rounded / AllocKey.SectorSize), pointer.Generation, "data", where, BtreeId.Extents, pos);
            }
        }

        return new ReferenceScan(usage, problems, nodeCount, extentCount);
    }

    /// <summary>
    /// Corrects <paramref name="keys"/> (the alloc keys read at mount) to what the references say:
    /// a referenced bucket gets its data type and sector count (and the pointers' generation when the
    /// key's is older: the allocation's record was lost); an unreferenced in-use bucket becomes
    /// empty (need_discard, emptied at <paramref name="emptiedSeq"/>). Keys newer than their pointers
    /// (stale pointers) are left for fsck. Returns the buckets changed.
    /// </summary>
    public Dictionary<long, AllocKey> Correct(Dictionary<long, AllocKey> keys, long firstDataBucket, long dataBuckets, ulong emptiedSeq)
    {
        var changed = new Dictionary<long, AllocKey>();
        for (long b = firstDataBucket; b < firstDataBucket + dataBuckets; b++)
        {
            AllocKey key = keys.GetValueOrDefault(b);
            AllocKey fixedKey = key;
            if (Usage.TryGetValue(b, out BucketUsage u))
            {
                if (key.Generation <= u.Generation)
                {
                    fixedKey = new AllocKey(u.Generation, u.DataType, u.Sectors, false, 0, key.JournalSeqNonEmpty);
                }
            }
            else if (key.IsInUse || key.DirtySectors != 0)
            {
                fixedKey = key with { DataType = BucketDataType.NeedDiscard, DirtySectors = 0, NeedDiscard = true, JournalSeqEmpty = emptiedSeq };
            }

            if (fixedKey != key)
            {
                keys[b] = fixedKey;
                changed[b] = fixedKey;
            }
        }

        return changed;
    }

    /// <summary>
    /// Compares the expected usage with alloc keys: yields (bucket, expected or null, actual key, what is wrong)
    /// for every data bucket whose key disagrees.
    /// </summary>
    public IEnumerable<(long Bucket, BucketUsage? Expected, AllocKey Actual, string Message)> Compare(Func<long, AllocKey> keyOf, long firstDataBucket, long dataBuckets)
    {
        for (long b = firstDataBucket; b < firstDataBucket + dataBuckets; b++)
        {
            AllocKey key = keyOf(b);
            if (Usage.TryGetValue(b, out BucketUsage u))
            {
                if (key.DataType != u.DataType)
                {
                    yield return (b, u, key, $"holds {u.DataType} data ({u.Sectors} sectors, {u.References} pointers) but its alloc key says {key.DataType}");
                }
                else if (key.Generation != u.Generation)
                {
                    yield return (b, u, key, $"pointers carry generation {u.Generation} but the alloc key has {key.Generation} (stale pointers)");
                }
                else if (key.DirtySectors != u.Sectors)
                {
                    yield return (b, u, key, $"{u.Sectors} sectors referenced but the alloc key counts {key.DirtySectors}");
                }
            }
            else if (key.IsInUse)
            {
                yield return (b, null, key, $"nothing references it but its alloc key says {key.DataType} with {key.DirtySectors} sectors");
            }
        }
    }
}
