using Primitives.Closures;
using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Devices;

public sealed class MemoryBlockDeviceTests
{
    [Fact]
    public async Task WritesReadBackAcrossChunkBoundariesAndStaySparse()
    {
        var device = new MemoryBlockDevice(64L * 1024 * 1024);
        Assert.Equal(0, device.AllocatedChunks);
        byte[] data = DeviceChecks.Pattern(3 * MemoryBlockDevice.ChunkSize, 1);
        await device.WriteAsync(MemoryBlockDevice.ChunkSize - 512, data);
        byte[] back = new byte[data.Length];
        await device.ReadAsync(MemoryBlockDevice.ChunkSize - 512, back);
        Assert.Equal(data, back);
        Assert.Equal(4, device.AllocatedChunks);
        Assert.Equal(1, device.WriteCount);
        Assert.Equal(1, device.ReadCount);
    }

    [Fact]
    public async Task DiscardZeroesAndFreesWholeChunks()
    {
        var device = new MemoryBlockDevice(1024 * 1024);
        await device.WriteAsync(0, DeviceChecks.Pattern(256 * 1024, 2));
        await device.DiscardAsync(512, (128 * 1024) - 512);
        byte[] back = new byte[256 * 1024];
        await device.ReadAsync(0, back);
        Assert.Equal(DeviceChecks.Pattern(512, 2), back[..512]); // first sector kept
        Assert.True(back.AsSpan(512, (128 * 1024) - 512).IndexOfAnyExcept((byte)0) < 0);
        Assert.Equal(DeviceChecks.Pattern(256 * 1024, 2)[(128 * 1024)..], back[(128 * 1024)..]);
        Assert.Equal(3, device.AllocatedChunks); // the second chunk was dropped whole
    }

    [Fact]
    public async Task TheNthWriteAndFlushFailWithInjectedDeviceErrors()
    {
        var device = new MemoryBlockDevice(1024 * 1024) { Faults = new DeviceFaults { FailWriteNumber = 2, FailFlushNumber = 1 } };
        await device.WriteAsync(0, new byte[512]);
        DeviceException write = await Assert.ThrowsAsync<DeviceException>(async () => await device.WriteAsync(4096, new byte[512]));
        Assert.Equal(DeviceOperation.Write, write.Operation);
        Assert.Equal(4096, write.Offset);
        Assert.Equal(5, write.Errno);
        await device.WriteAsync(8192, new byte[512]);
        DeviceException flush = await Assert.ThrowsAsync<DeviceException>(async () => await device.FlushAsync());
        Assert.Equal(DeviceOperation.Flush, flush.Operation);
        await device.FlushAsync();
        Assert.Equal(2, device.Faults.InjectedCount);
    }

    [Fact]
    public async Task ADeadDeviceFailsEveryWriteFromAPoint()
    {
        var device = new MemoryBlockDevice(1024 * 1024) { Faults = new DeviceFaults { FailWritesFrom = 3 } };
        await device.WriteAsync(0, new byte[512]);
        await device.WriteAsync(0, new byte[512]);
        for (int i = 0; i < 3; i++)
        {
            await Assert.ThrowsAsync<DeviceException>(async () => await device.WriteAsync(0, new byte[512]));
        }
    }

    [Fact]
    public async Task TheNullDeviceReadsZerosAndStillValidatesRanges()
    {
        var device = new NullBlockDevice(1024 * 1024);
        await device.WriteAsync(0, DeviceChecks.Pattern(4096, 1));
        byte[] back = DeviceChecks.Pattern(4096, 2);
        await device.ReadAsync(0, back);
        Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0) < 0);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.WriteAsync(1024 * 1024, new byte[512]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new NullBlockDevice(100));
    }

    [Fact]
    public void InvalidGeometryIsRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBlockDevice(1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBlockDevice(4096, logicalBlockSize: 1000));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MemoryBlockDevice(0));
    }

    [Fact]
    public async Task SubmittedIoRecordsTheFirstErrorAndContinuesTheBatch()
    {
        var device = new MemoryBlockDevice(1024 * 1024) { YieldOnIo = true, Faults = new DeviceFaults { FailWriteNumber = 3 } };
        var parent = new Closure();
        var batch = new IoBatch(parent);
        for (int i = 0; i < 5; i++)
        {
            device.SubmitWrite(i * 4096L, DeviceChecks.Pattern(4096, i), batch);
        }

        var continued = new TaskCompletionSource<(Exception? Error, int Count)>(TaskCreationOptions.RunContinuationsAsynchronously);
        batch.ContinueAt(cl =>
        {
            var b = (IoBatch)cl;
            continued.SetResult((b.FirstError, b.ErrorCount));
            b.Return(); // drops the batch's reference on the parent
        });

        (Exception? error, int count) = await continued.Task;
        DeviceException failure = Assert.IsType<DeviceException>(error);
        Assert.Equal(1, count);

        // The writes run concurrently (YieldOnIo), so the third to reach the device is any one of
        // them: the failed one left its block empty and every other write of the batch landed.
        Assert.Contains(failure.Offset, new long[] { 0, 4096, 8192, 12288, 16384 });
        for (int i = 0; i < 5; i++)
        {
            byte[] block = new byte[4096];
            await device.ReadAsync(i * 4096L, block);
            Assert.Equal(i * 4096L == failure.Offset ? new byte[4096] : DeviceChecks.Pattern(4096, i), block);
        }
        await parent.SyncAsync(); // the parent waited for the child batch to finish
        Assert.Equal(1, parent.Remaining);
        parent.Return();
    }

    [Fact]
    public void SubmitValidatesBeforeTakingAReference()
    {
        var device = new MemoryBlockDevice(1024 * 1024);
        var batch = new IoBatch();
        Assert.Throws<ArgumentOutOfRangeException>(() => device.SubmitWrite(100, new byte[512], batch));
        Assert.Throws<ArgumentNullException>(() => device.SubmitFlush(null!));
        Assert.Equal(1, batch.Remaining);
        batch.Return();
    }
}
