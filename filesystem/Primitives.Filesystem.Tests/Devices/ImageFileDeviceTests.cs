using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Devices;

public sealed class ImageFileDeviceTests
{
    private const long Size = 16L * 1024 * 1024;

    [Fact]
    public void OpensImageWithDirectIoAndReportsItsSize()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path);
        Assert.False(device.IsBlockDevice);
        Assert.True(device.IsDirectIo);
        Assert.Equal(Size, device.Size);
        Assert.Equal(512, device.LogicalBlockSize);
        Assert.True(device.SupportsDiscard);
    }

    [Fact]
    public async Task AlignedAndUnalignedBuffersRoundTrip()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path);
        await DeviceChecks.AlignedAndUnalignedRoundTrip(device);
    }

    [Fact]
    public async Task LargeUnalignedWriteIsBouncedInChunks()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path);
        byte[] backing = new byte[(3 * 1024 * 1024) + 512 + 3];
        Memory<byte> data = backing.AsMemory(3, (3 * 1024 * 1024) + 512);
        DeviceChecks.Pattern(data.Length, 9).CopyTo(data);
        await device.WriteAsync(8192, data);
        byte[] back = new byte[data.Length];
        await device.ReadAsync(8192, back);
        Assert.True(back.AsSpan().SequenceEqual(data.Span));
    }

    [Fact]
    public void SecondExclusiveOpenFailsWithDeviceBusy()
    {
        using var image = new TempImage(Size);
        DeviceChecks.SecondOpenIsBusy(image.Path);
    }

    [Fact]
    public async Task DiscardPunchesAHoleThatReadsAsZeros()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path);
        await DeviceChecks.DiscardReadsBackZeros(device);
    }

    [Fact]
    public async Task MisalignedRangesAreRejectedBeforeAnyIo()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.WriteAsync(100, new byte[512]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.ReadAsync(0, new byte[100]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.ReadAsync(Size, new byte[512]));
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await device.DiscardAsync(512, 100));
    }

    [Fact]
    public void MissingFileReportsTheErrnoAndThePath()
    {
        string path = Path.Combine(Path.GetTempPath(), "primfs-missing-" + Guid.NewGuid().ToString("N"));
        DeviceException error = Assert.Throws<DeviceException>(() => FileBlockDevice.Open(path));
        Assert.Equal(2, error.Errno); // ENOENT
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadOnlyDeviceRejectsWritesAndDiscards()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path, new FileBlockDeviceOptions { ReadOnly = true });
        Assert.True(device.IsReadOnly);
        Assert.False(device.SupportsDiscard);
        byte[] buffer = new byte[4096];
        await device.ReadAsync(0, buffer);
        DeviceException write = await Assert.ThrowsAsync<DeviceException>(async () => await device.WriteAsync(0, buffer));
        Assert.Equal(DeviceOperation.Write, write.Operation);
        await Assert.ThrowsAsync<DeviceException>(async () => await device.DiscardAsync(0, 4096));
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        using var image = new TempImage(Size);
        Assert.Throws<ArgumentOutOfRangeException>(() => FileBlockDevice.Open(image.Path, new FileBlockDeviceOptions { MaxInFlight = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => FileBlockDevice.Open(image.Path, new FileBlockDeviceOptions { ImageLogicalBlockSize = 1000 }));
        Assert.Throws<ArgumentException>(() => FileBlockDevice.Open(string.Empty));
    }

    [Fact]
    public async Task ClosureDrivenWritesCompleteTheBatchAndRecordNoError()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path);
        var batch = new IoBatch();
        for (int i = 0; i < 16; i++)
        {
            device.SubmitWrite(i * 65536L, DeviceChecks.Pattern(65536, 100 + i), batch);
        }

        await batch.WaitAsync();
        device.SubmitFlush(batch);
        await batch.WaitAsync();
        Assert.Equal(0, batch.ErrorCount);

        byte[][] reads = Enumerable.Range(0, 16).Select(_ => new byte[65536]).ToArray();
        for (int i = 0; i < 16; i++)
        {
            device.SubmitRead(i * 65536L, reads[i], batch);
        }

        batch.Sync();
        batch.ThrowIfFailed();
        for (int i = 0; i < 16; i++)
        {
            Assert.Equal(DeviceChecks.Pattern(65536, 100 + i), reads[i]);
        }

        batch.Return();
    }

    [Fact]
    public async Task MaxInFlightBoundsConcurrentIoWithoutDeadlock()
    {
        using var image = new TempImage(Size);
        using FileBlockDevice device = FileBlockDevice.Open(image.Path, new FileBlockDeviceOptions { MaxInFlight = 2 });
        Task[] writes = Enumerable.Range(0, 32).Select(i => device.WriteAsync(i * 4096L, DeviceChecks.Pattern(4096, i)).AsTask()).ToArray();
        await Task.WhenAll(writes);
        for (int i = 0; i < 32; i++)
        {
            byte[] back = new byte[4096];
            await device.ReadAsync(i * 4096L, back);
            Assert.Equal(DeviceChecks.Pattern(4096, i), back);
        }
    }
}
