using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Format;

internal static class FormatTestData
{
    /// <summary>Small geometry: 64 KiB buckets, 16 KiB btree nodes, 2 journal buckets.</summary>
    public static FormatOptions SmallOptions => new()
    {
        BucketSize = 64 * 1024,
        BtreeNodeSize = 16 * 1024,
        JournalBuckets = 2,
        Uuid = new Guid("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"),
        CreatedUtc = new DateTimeOffset(2026, 11, 23, 15, 0, 0, TimeSpan.Zero),
    };

    public static async Task<(MemoryBlockDevice Device, Superblock Superblock)> FormattedMemoryDevice(long size = 4L * 1024 * 1024)
    {
        var device = new MemoryBlockDevice(size);
        Superblock superblock = await Formatter.FormatAsync(device, SmallOptions);
        return (device, superblock);
    }

    public static void FlipByte(MemoryBlockDevice device, long offset)
    {
        long sector = offset - (offset % 512);
        byte[] buffer = new byte[512];
        device.Read(sector, buffer);
        buffer[offset - sector] ^= 0x5A;
        device.Write(sector, buffer);
    }
}
