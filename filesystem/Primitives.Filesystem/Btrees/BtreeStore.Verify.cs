using Primitives.Locking;

namespace Primitives.Filesystem.Btrees;

/// <summary>fsck support: re-reading every written node and checking it against the cached one.</summary>
public sealed partial class BtreeStore
{
    /// <summary>
    /// Reads back every clean node from its location, verifies its checksums and format, and checks that
    /// its keys (leaf) or child pointers (interior) equal the cached node's. Run it quiesced (fsck,
    /// after <see cref="FlushAllAsync"/>): nodes rewritten meanwhile are skipped. Returns one error per bad node.
    /// </summary>
    public async Task<IReadOnlyList<BtreeNodeCorruptException>> VerifyNodesAsync(CancellationToken cancellationToken = default)
    {
        var errors = new List<BtreeNodeCorruptException>();
        byte[] image = new byte[NodeSize];
        foreach (BtreeNode node in CollectNodes())
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (node.Dirty || node.Location is not { } location)
            {
                continue;
            }

            await _space.ReadAsync(location, image, cancellationToken).ConfigureAwait(false);
            BtreeNode disk;
            try
            {
                disk = BtreeNodeFormat.Deserialize(this, image, location, node.Btree, node.Level, node.Min, node.Max, ulong.MaxValue);
            }
            catch (BtreeNodeCorruptException e)
            {
                errors.Add(e);
                continue;
            }

            string? difference = Difference(node, disk);
            if (difference is not null)
            {
                errors.Add(new BtreeNodeCorruptException(node.Btree, node.Level, location.Offset, difference));
            }
        }

        return errors;
    }

    private static string? Difference(BtreeNode cached, BtreeNode disk)
    {
        cached.Lock.Lock(SixLockType.Read);
        try
        {
            if (cached.Dirty || cached.Dead)
            {
                return null; // changed since it was collected
            }

            if (cached.IsLeaf)
            {
                List<BtreeKey> a = cached.LiveKeys(), b = disk.LiveKeys();
                if (a.Count != b.Count)
                {
                    return $"the node on disk has {b.Count} keys, the cached one {a.Count}";
                }

                for (int i = 0; i < a.Count; i++)
                {
                    if (a[i].Pos != b[i].Pos || !a[i].Value.Span.SequenceEqual(b[i].Value.Span))
                    {
                        return $"key {i} differs: disk {b[i].Pos}, cache {a[i].Pos}";
                    }
                }

                return null;
            }

            List<ChildRef> x = cached.Children, y = disk.Children;
            if (x.Count != y.Count)
            {
                return $"the node on disk has {y.Count} children, the cached one {x.Count}";
            }

            for (int i = 0; i < x.Count; i++)
            {
                if (x[i].Min != y[i].Min || x[i].Max != y[i].Max || x[i].Location != y[i].Location)
                {
                    return $"child {i} differs: disk [{y[i].Min}, {y[i].Max}] {y[i].Location}, cache [{x[i].Min}, {x[i].Max}] {x[i].Location}";
                }
            }

            return null;
        }
        finally
        {
            cached.Lock.Unlock(SixLockType.Read);
        }
    }
}
