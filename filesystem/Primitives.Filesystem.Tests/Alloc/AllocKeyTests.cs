using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Alloc;

public sealed class AllocKeyTests
{
    [Fact]
    public void RoundTripsEveryFieldInLittleEndian()
    {
        var key = new AllocKey(0x01020304, BucketDataType.User, 128, true, 0x1112131415161718, 42);
        byte[] bytes = key.Encode();
        Assert.Equal(AllocKey.EncodedSize, bytes.Length);
        Assert.Equal(1, bytes[0]); // version
        Assert.Equal((byte)BucketDataType.User, bytes[1]);
        Assert.Equal(new byte[] { 4, 3, 2, 1 }, bytes[4..8]);
        Assert.Equal(key, AllocKey.Decode(bytes));
    }

    [Fact]
    public void RejectsUnknownVersionsTypesAndLengths()
    {
        byte[] bytes = new AllocKey(1, BucketDataType.Btree, 0, false, 0, 0).Encode();
        byte[] newer = (byte[])bytes.Clone();
        newer[0] = 2;
        Assert.Contains("version 2", Assert.Throws<CorruptStructureException>(() => AllocKey.Decode(newer)).Message, StringComparison.Ordinal);
        byte[] badType = (byte[])bytes.Clone();
        badType[1] = 99;
        Assert.Throws<CorruptStructureException>(() => AllocKey.Decode(badType));
        Assert.Throws<CorruptStructureException>(() => AllocKey.Decode(bytes.AsSpan(0, 31)));
        Assert.Throws<CorruptStructureException>(() => AllocKey.Decode([]));
    }
}
