using System.Buffers.Binary;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Format;

public sealed class SuperblockTests
{
    private static Superblock Sample => new()
    {
        Uuid = Guid.NewGuid(),
        CreatedUtc = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123),
        Sequence = 41,
        BlockSize = 4096,
        BucketSize = 256 * 1024,
        BtreeNodeSize = 64 * 1024,
        BucketCount = 100,
        FirstDataBucket = 5,
        JournalBuckets = [1, 2, 3, 4],
        IsClean = true,
        CleanSection = new byte[] { 1, 2, 3, 250 },
    };

    [Fact]
    public void EncodesAndDecodesEveryField()
    {
        byte[] block = new byte[Superblock.Size];
        Sample.Encode(block);
        Assert.True(block.AsSpan(0, 8).SequenceEqual("PRIMFS01"u8));
        Superblock decoded = Superblock.Decode(block, 4096);
        Assert.Equal(Sample with { Uuid = decoded.Uuid }, decoded with { });
        Assert.Equal(4, decoded.CleanSection.Length);
        Assert.Equal(99 * 256 * 1024L, decoded.BackupOffset);
        Assert.Equal(94, decoded.DataBucketCount);
    }

    [Fact]
    public void AFlippedBitIsAChecksumMismatchWithTheOffset()
    {
        byte[] block = new byte[Superblock.Size];
        Sample.Encode(block);
        block[60] ^= 1;
        ChecksumMismatchException error = Assert.Throws<ChecksumMismatchException>(() => Superblock.Decode(block, 12345));
        Assert.Equal(12345, error.Offset);
        Assert.Equal("superblock", error.Structure);
        Assert.NotEqual(error.Expected, error.Actual);
        Assert.Contains("offset 12345", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ANewerVersionIsReportedAsSuch()
    {
        byte[] block = NewerVersion(Sample);
        UnsupportedFormatVersionException error = Assert.Throws<UnsupportedFormatVersionException>(() => Superblock.Decode(block, 4096));
        Assert.Equal(2, error.Version);
        Assert.Equal(Superblock.CurrentVersion, error.Supported);
    }

    [Fact]
    public void InvalidGeometryIsRejectedOnEncode()
    {
        byte[] block = new byte[Superblock.Size];
        Assert.Throws<ArgumentException>(() => (Sample with { BucketSize = 3000 }).Encode(block));
        Assert.Throws<ArgumentException>(() => (Sample with { BtreeNodeSize = 512 * 1024 }).Encode(block));
        Assert.Throws<ArgumentException>(() => (Sample with { FirstDataBucket = 2 }).Encode(block));
        Assert.Throws<ArgumentException>(() => (Sample with { CleanSection = new byte[4000] }).Encode(block));
        Assert.Throws<ArgumentException>(() => (Sample with { JournalBuckets = [1, 1] }).Encode(block));
    }

    internal static byte[] NewerVersion(Superblock superblock)
    {
        byte[] block = new byte[Superblock.Size];
        superblock.Encode(block);
        BinaryPrimitives.WriteUInt16LittleEndian(block.AsSpan(16), 2);
        int length = (int)BinaryPrimitives.ReadUInt32LittleEndian(block.AsSpan(12));
        BinaryPrimitives.WriteUInt32LittleEndian(block.AsSpan(8), Crc32C.Compute(block.AsSpan(12, length - 12)));
        return block;
    }
}
