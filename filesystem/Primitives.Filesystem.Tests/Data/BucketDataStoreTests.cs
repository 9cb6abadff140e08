using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Data;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Tests.Alloc;
using Primitives.Filesystem.Tests.Devices;

namespace Primitives.Filesystem.Tests.Data;

public sealed class BucketDataStoreTests
{
    [Fact]
    public async Task WritesOfEverySizeReadBack()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        var store = new BucketDataStore(allocator, device);
        int[] sizes = [1, 511, 4096, 5000, 65536, 12345];
        var pointers = new List<DataPointer>();
        foreach (int size in sizes)
        {
            pointers.Add(await store.WriteAsync(DeviceChecks.Pattern(size, size)));
        }

        for (int i = 0; i < sizes.Length; i++)
        {
            Assert.Equal((uint)sizes[i], pointers[i].Length);
            Assert.Equal(0u, pointers[i].Offset % 4096);
            byte[] back = new byte[sizes[i]];
            await store.ReadAsync(pointers[i], back);
            Assert.Equal(DeviceChecks.Pattern(sizes[i], sizes[i]), back);
        }

        Assert.Equal(pointers[0].Bucket, pointers[1].Bucket); // small writes share the open bucket
        Assert.Equal(4096u, pointers[1].Offset);
    }

    [Fact]
    public async Task APointerToAnEmptiedOrReusedBucketIsStale()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        var store = new BucketDataStore(allocator, device);
        await using var worker = new DiscardWorker(allocator, device);
        DataPointer old = await store.WriteAsync(DeviceChecks.Pattern(65536, 1)); // fills bucket 3
        store.Release(old, journalSeq: 4);

        StaleDataPointerException emptied = await Assert.ThrowsAsync<StaleDataPointerException>(async () => await store.ReadAsync(old, new byte[65536]));
        Assert.Contains("NeedDiscard", emptied.Message, StringComparison.Ordinal);

        allocator.OnJournalDurable(4);
        await worker.DiscardPendingAsync();
        DataPointer reused = await store.WriteAsync(DeviceChecks.Pattern(4096, 2));
        DataPointer again = await store.WriteAsync(DeviceChecks.Pattern(65536, 3));
        Assert.True(reused.Bucket == old.Bucket || again.Bucket == old.Bucket, "the emptied bucket is reused");

        StaleDataPointerException stale = await Assert.ThrowsAsync<StaleDataPointerException>(async () => await store.ReadAsync(old, new byte[65536]));
        Assert.Equal(old, stale.Pointer);
        Assert.Equal(old.Generation + 1, stale.CurrentGeneration);
        Assert.Throws<StaleDataPointerException>(() => store.Release(old, 5)); // a double release is caught too
    }

    [Fact]
    public async Task ReleasedSpaceIsReservedAgainOnlyAfterRelease()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create(buckets: 16); // 12 data buckets, 1 in reserve
        var store = new BucketDataStore(allocator, device);
        var pointers = new List<DataPointer>();
        for (int i = 0; i < 11; i++)
        {
            pointers.Add(await store.WriteAsync(new byte[65536]));
        }

        await Assert.ThrowsAsync<NoSpaceException>(async () => await store.WriteAsync(new byte[1]));
        store.Release(pointers[0], 1);
        allocator.OnJournalDurable(1);
        await new DiscardWorker(allocator, device).DiscardPendingAsync();
        DataPointer after = await store.WriteAsync(new byte[4096]);
        Assert.Equal(pointers[0].Bucket, after.Bucket);
    }

    [Fact]
    public async Task AFailedWriteGivesItsSpaceBack()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        device.Faults = new DeviceFaults { FailWriteNumber = 1 };
        var store = new BucketDataStore(allocator, device);
        long available = allocator.AvailableUserBytes;
        await Assert.ThrowsAsync<DeviceException>(async () => await store.WriteAsync(new byte[8192]));
        Assert.Equal(available, allocator.AvailableUserBytes);
        Assert.Equal(0u, allocator.GetKey(3).DirtySectors);
        DataPointer ok = await store.WriteAsync(new byte[8192]);
        Assert.NotEqual(3ul, ok.Bucket); // the failed write's bucket emptied and waits for discard
    }

    [Fact]
    public async Task BadArgumentsAreRejected()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        var store = new BucketDataStore(allocator, device);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.WriteAsync(ReadOnlyMemory<byte>.Empty));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await store.WriteAsync(new byte[65537]));
        DataPointer p = await store.WriteAsync(new byte[100]);
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync(p, new byte[99]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync(p with { Bucket = 0 }, new byte[100]));
        await Assert.ThrowsAsync<ArgumentException>(async () => await store.ReadAsync(p with { Offset = 100 }, new byte[100]));
        Assert.Throws<ArgumentException>(() => new BucketDataStore(allocator, new MemoryBlockDevice(1 << 20, logicalBlockSize: 8192)));
    }

    [Fact]
    public async Task RoundTripOnALoopDevice()
    {
        using LoopDevice loop = LoopDevice.Create(16L * 1024 * 1024);
        using FileBlockDevice device = FileBlockDevice.Open(loop.Path);
        Superblock superblock = await Formatter.FormatAsync(device, new FormatOptions { BucketSize = 256 * 1024, BtreeNodeSize = 64 * 1024, JournalBuckets = 2 });
        BucketAllocator allocator = BucketAllocator.Create(superblock);
        var store = new BucketDataStore(allocator, device);
        var written = new List<(DataPointer Pointer, byte[] Data)>();
        for (int i = 0; i < 20; i++)
        {
            byte[] data = DeviceChecks.Pattern(1000 + (i * 7919), i);
            written.Add((await store.WriteAsync(data), data));
        }

        await device.FlushAsync();
        foreach ((DataPointer pointer, byte[] data) in written)
        {
            byte[] back = new byte[data.Length + 1];
            await store.ReadAsync(pointer, back);
            Assert.True(back.AsSpan(0, data.Length).SequenceEqual(data));
        }
    }
}
