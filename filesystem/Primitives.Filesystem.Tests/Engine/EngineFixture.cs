using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Engine;

/// <summary>Small geometries and helpers for engine tests.</summary>
internal static class EngineFixture
{
    /// <summary>16 KiB nodes in 64 KiB buckets, 4 journal buckets: small images, many buckets.</summary>
    public static FormatOptions SmallFormat { get; } = new() { BucketSize = 64 * 1024, BtreeNodeSize = 16 * 1024, JournalBuckets = 4, Uuid = new Guid("6c1e5a77-0000-4000-8000-00000000f5c0") };

    /// <summary>No background flusher: tests decide when things become durable.</summary>
    public static MountOptions Quiet { get; } = new() { FlushInterval = TimeSpan.Zero };

    public static async Task<MemoryBlockDevice> FormattedMemoryAsync(long size = 16 << 20)
    {
        var device = new MemoryBlockDevice(size);
        await FileSystem.FormatAsync(device, SmallFormat);
        return device;
    }

    public static byte[] Value(int i, int size = 48)
    {
        byte[] v = new byte[size];
        new Random(i).NextBytes(v);
        return v;
    }

    public static ulong Put(MountedFilesystem fs, BtreeId btree, int from, int count)
    {
        ulong seq = 0;
        using var tx = fs.KeyValues.Begin();
        for (int i = from; i < from + count; i++)
        {
            tx.Set(btree, new Bpos(7, (ulong)i), Value(i));
        }

        seq = tx.Commit();
        return seq;
    }

    public static void AssertPresent(MountedFilesystem fs, BtreeId btree, int from, int count)
    {
        using var tx = fs.KeyValues.Begin();
        for (int i = from; i < from + count; i++)
        {
            Assert.True(tx.TryGet(btree, new Bpos(7, (ulong)i), out var value), $"key {i} missing");
            Assert.Equal(Value(i), value.ToArray());
        }
    }
}
