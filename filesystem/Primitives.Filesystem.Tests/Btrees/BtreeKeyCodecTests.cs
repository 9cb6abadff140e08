using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Tests.Btrees;

public sealed class BtreeKeyCodecTests
{
    [Theory]
    [InlineData(0UL, 0UL, 0)]
    [InlineData(1UL, 127UL, 1)]
    [InlineData(128UL, 16384UL, 100)]
    [InlineData(ulong.MaxValue, ulong.MaxValue, 4096)]
    public void KeysRoundTrip(ulong inode, ulong offset, int valueLength)
    {
        var key = new BtreeKey(new Bpos(inode, offset), BtreeFixture.V(inode ^ offset, valueLength), false);
        byte[] bytes = new byte[key.EncodedSize];
        Assert.Equal(bytes.Length, BtreeKeyCodec.Write(bytes, key));
        Assert.True(BtreeKeyCodec.TryRead(bytes, out BtreeKey back, out int consumed));
        Assert.Equal(bytes.Length, consumed);
        Assert.Equal(key.Pos, back.Pos);
        Assert.False(back.IsWhiteout);
        Assert.Equal(key.Value.ToArray(), back.Value.ToArray());
        Assert.True(bytes.Length <= BtreeKeyCodec.MaxEncodedSize(valueLength));
    }

    [Fact]
    public void SmallKeysAreCompact()
    {
        var key = new BtreeKey(new Bpos(5, 100), new byte[3], false);
        Assert.Equal(1 + 1 + 1 + 1 + 3, key.EncodedSize);
    }

    [Fact]
    public void WhiteoutsRoundTripAndMalformedBytesAreRejected()
    {
        BtreeKey w = BtreeKey.Whiteout(new Bpos(9, 9));
        byte[] bytes = new byte[w.EncodedSize];
        BtreeKeyCodec.Write(bytes, w);
        Assert.True(BtreeKeyCodec.TryRead(bytes, out BtreeKey back, out _));
        Assert.True(back.IsWhiteout);
        Assert.Equal(w.Pos, back.Pos);

        Assert.False(BtreeKeyCodec.TryRead([], out _, out _));
        Assert.False(BtreeKeyCodec.TryRead([0x80], out _, out _)); // unknown flag
        Assert.False(BtreeKeyCodec.TryRead([0, 1, 1, 5, 1, 2], out _, out _)); // value runs past the end
        Assert.False(BtreeKeyCodec.TryRead([0, 0xFF, 0xFF], out _, out _)); // truncated varint
        Assert.Throws<ArgumentException>(() => BtreeKeyCodec.Write(new byte[2], w));
    }

    [Fact]
    public void JournalRecordsRoundTrip()
    {
        var key = new BtreeKey(new Bpos(3, 4), new byte[] { 1, 2, 3 }, false);
        Assert.True(BtreeJournalRecords.TryDecode(7, BtreeJournalRecords.KeyType, BtreeJournalRecords.EncodeKey(BtreeId.Dirents, 0, key), out var r));
        Assert.Equal((7UL, BtreeJournalRecordKind.Key, BtreeId.Dirents, 0, key.Pos), (r.Seq, r.Kind, r.Btree, r.Level, r.Key.Pos));
        Assert.Equal(key.Value.ToArray(), r.Key.Value.ToArray());

        Assert.True(BtreeJournalRecords.TryDecode(8, BtreeJournalRecords.RootGrownType, BtreeJournalRecords.EncodeRootGrown(BtreeId.Alloc, 2), out r));
        Assert.Equal((BtreeJournalRecordKind.RootGrown, BtreeId.Alloc, 2), (r.Kind, r.Btree, r.Level));

        var loc = new NodeLocation(4096, 3);
        Assert.True(BtreeJournalRecords.TryDecode(9, BtreeJournalRecords.RootWrittenType, BtreeJournalRecords.EncodeRootWritten(BtreeId.Xattrs, 1, loc), out r));
        Assert.Equal((BtreeJournalRecordKind.RootWritten, BtreeId.Xattrs, 1, loc), (r.Kind, r.Btree, r.Level, r.RootLocation));

        Assert.False(BtreeJournalRecords.TryDecode(1, 0x01, [0, 0], out _));
        Assert.False(BtreeJournalRecords.TryDecode(1, BtreeJournalRecords.KeyType, [200, 0, 0, 0, 0, 0], out _));
        Assert.False(BtreeJournalRecords.TryDecode(1, BtreeJournalRecords.RootGrownType, [0, 0], out _));
    }

    [Fact]
    public void RootsTableRoundTrips()
    {
        var roots = new BtreeRoots(new Dictionary<BtreeId, BtreeRoot>
        {
            [BtreeId.Inodes] = new(2, new NodeLocation(8192, 5)),
            [BtreeId.Alloc] = new(0, new NodeLocation(0, 1)),
        });
        BtreeRoots back = BtreeRoots.Decode(roots.Encode());
        Assert.Equal(roots.Roots.OrderBy(r => r.Key), back.Roots.OrderBy(r => r.Key));
        Assert.Throws<FilesystemException>(() => BtreeRoots.Decode([3, 1]));
    }
}
