using System.Buffers.Binary;
using Primitives.Filesystem.Btrees;
using static Primitives.Filesystem.Tests.Btrees.BtreeFixture;

namespace Primitives.Filesystem.Tests.Btrees;

public sealed class BtreeNodeFormatTests
{
    private const int NodeSize = 4096;
    private static readonly NodeLocation s_at = new(3 * NodeSize, 1);

    private static (BtreeStore Store, BtreeNode Leaf) LeafWithBsets()
    {
        BtreeFixture f = Create(SmallNodes(NodeSize, 64));
        var leaf = BtreeNode.NewLeaf(f.Store, BtreeId.Dirents, P(1, 0), P(9, 0), []);
        for (ulong i = 0; i < 10; i++)
        {
            leaf.Apply(new BtreeKey(P(2, i), V(i), false), journalSeq: 5);
        }

        leaf.SealOpenBset();
        for (ulong i = 5; i < 15; i++)
        {
            leaf.Apply(new BtreeKey(P(2, i), V(i + 100), false), journalSeq: 9);
        }

        leaf.Apply(BtreeKey.Whiteout(P(2, 0)), journalSeq: 9);
        return (f.Store, leaf);
    }

    [Fact]
    public void LeafRoundTripsWithEveryBset()
    {
        var (store, leaf) = LeafWithBsets();
        leaf.NodeSeq = 42;
        byte[] image = BtreeNodeFormat.Serialize(leaf, NodeSize);
        Assert.Equal(NodeSize, image.Length);

        BtreeNode back = BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Dirents, 0, P(1, 0), P(9, 0), maxValidJournalSeq: 100);
        Assert.Equal(2, back.Bsets.Count);
        Assert.Equal(42UL, back.NodeSeq);
        Assert.Equal(s_at, back.Location);
        Assert.Equal(9UL, back.JournalSeq);
        Assert.Equal(leaf.LiveKeys().Select(k => (k.Pos, k.Value.ToArray())), back.LiveKeys().Select(k => (k.Pos, k.Value.ToArray())));
        Assert.True(back.TryFind(P(2, 0), out BtreeKey whiteout));
        Assert.True(whiteout.IsWhiteout);
    }

    [Fact]
    public void NewerBsetsShadowOlderOnesAndCompactionDropsWhiteouts()
    {
        var (_, leaf) = LeafWithBsets();
        Assert.True(leaf.TryFind(P(2, 0), out BtreeKey w));
        Assert.True(w.IsWhiteout); // the old bset holds the key, so the delete left a whiteout
        Assert.True(leaf.TryFind(P(2, 7), out BtreeKey k));
        Assert.Equal(V(107), k.Value.ToArray());
        Assert.True(leaf.TryFind(P(2, 3), out k));
        Assert.Equal(V(3), k.Value.ToArray());
        Assert.Equal(14, leaf.LiveKeys().Count);

        int before = leaf.UsedBytes;
        int compacted = leaf.CompactedBytes();
        leaf.Compact();
        Assert.Single(leaf.Bsets);
        Assert.Equal(compacted, leaf.UsedBytes);
        Assert.True(leaf.UsedBytes < before);
        Assert.False(leaf.TryFind(P(2, 0), out _));
        Assert.Equal(Enumerable.Range(1, 14).Select(i => P(2, (ulong)i)), leaf.LiveKeys().Select(key => key.Pos));
    }

    [Fact]
    public void DeleteOfAKeyOnlyInTheOpenBsetLeavesNoWhiteout()
    {
        var (_, leaf) = LeafWithBsets();
        leaf.Apply(BtreeKey.Whiteout(P(2, 14)), 10);
        Assert.False(leaf.TryFind(P(2, 14), out _));
    }

    [Fact]
    public void BsetsBeyondTheDurableJournalSeqAreIgnored()
    {
        var (store, leaf) = LeafWithBsets();
        byte[] image = BtreeNodeFormat.Serialize(leaf, NodeSize);
        BtreeNode back = BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Dirents, 0, P(1, 0), P(9, 0), maxValidJournalSeq: 8);
        Assert.Single(back.Bsets);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => (P(2, (ulong)i), V((ulong)i))), back.LiveKeys().Select(key => (key.Pos, key.Value.ToArray())));
        Assert.Equal(5UL, back.JournalSeq);
    }

    [Theory]
    [InlineData(10, 0, "node header checksum")]
    [InlineData(64 + 8, 64, "bset 0 checksum")]
    [InlineData(64 + 40, 64, "bset 0 checksum")]
    public void ChecksumMismatchIsATypedErrorWithItsOffset(int flip, int reportedOffset, string reason)
    {
        var (store, leaf) = LeafWithBsets();
        byte[] image = BtreeNodeFormat.Serialize(leaf, NodeSize);
        image[flip] ^= 0x10;
        var e = Assert.Throws<BtreeNodeCorruptException>(() => BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Dirents, 0, P(1, 0), P(9, 0), 100));
        Assert.Equal(BtreeId.Dirents, e.Btree);
        Assert.Equal(0, e.Level);
        Assert.Equal(s_at.Offset + (flip == 10 ? 60 : reportedOffset), e.Offset);
        Assert.Contains(reason, e.Message);
        Assert.IsAssignableFrom<FilesystemException>(e);
    }

    [Fact]
    public void SecondBsetCorruptionNamesTheSecondBset()
    {
        var (store, leaf) = LeafWithBsets();
        byte[] image = BtreeNodeFormat.Serialize(leaf, NodeSize);
        int firstKeyBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(image.AsSpan(64 + 20));
        int second = 64 + 32 + firstKeyBytes;
        image[second + 40] ^= 1;
        var e = Assert.Throws<BtreeNodeCorruptException>(() => BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Dirents, 0, P(1, 0), P(9, 0), 100));
        Assert.Equal(s_at.Offset + second, e.Offset);
        Assert.Contains("bset 1", e.Message);
    }

    [Fact]
    public void ForeignBtreeLevelOrRangeIsRejected()
    {
        var (store, leaf) = LeafWithBsets();
        byte[] image = BtreeNodeFormat.Serialize(leaf, NodeSize);
        Assert.Throws<BtreeNodeCorruptException>(() => BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Inodes, 0, P(1, 0), P(9, 0), 100));
        Assert.Throws<BtreeNodeCorruptException>(() => BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Dirents, 1, P(1, 0), P(9, 0), 100));
        Assert.Throws<BtreeNodeCorruptException>(() => BtreeNodeFormat.Deserialize(store, image, s_at, BtreeId.Dirents, 0, P(1, 0), P(8, 0), 100));
        Assert.Throws<BtreeNodeCorruptException>(() => BtreeNodeFormat.Deserialize(store, new byte[NodeSize], s_at, BtreeId.Dirents, 0, P(1, 0), P(9, 0), 100));
    }

    [Fact]
    public void InteriorNodesRoundTripTheirChildPointers()
    {
        BtreeFixture f = Create(SmallNodes(NodeSize, 64));
        var children = new List<ChildRef>
        {
            new(Bpos.Min, P(5, 5), new NodeLocation(NodeSize, 1), 11, null),
            new(P(5, 6), P(7, 0), new NodeLocation(2 * NodeSize, 4), 7, null),
            new(P(7, 1), Bpos.Max, new NodeLocation(5 * NodeSize, 2), 30, null),
        };
        var node = BtreeNode.NewInterior(f.Store, BtreeId.Extents, 2, Bpos.Min, Bpos.Max, children);
        node.JournalSeq = 3;
        byte[] image = BtreeNodeFormat.Serialize(node, NodeSize);
        BtreeNode back = BtreeNodeFormat.Deserialize(f.Store, image, s_at, BtreeId.Extents, 2, Bpos.Min, Bpos.Max, 10);
        Assert.Equal(children.Select(c => (c.Min, c.Max, c.Location, c.Version)), back.Children.Select(c => (c.Min, c.Max, c.Location, c.Version)));
        Assert.True(back.Lock.IsPerCpuReaders);
        Assert.Equal(1, back.ChildIndex(P(6, 0)));
        Assert.Equal(2, back.ChildIndex(Bpos.Max));
    }
}
