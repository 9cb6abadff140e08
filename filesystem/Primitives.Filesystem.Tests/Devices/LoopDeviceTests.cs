using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Devices;

/// <summary>A real Linux loop device: O_DIRECT, O_EXCL, the block ioctls and BLKDISCARD. Needs root (fails clearly otherwise).</summary>
public sealed class LoopDeviceTests
{
    private const long Size = 64L * 1024 * 1024;

    [Fact]
    public void OpensWithDirectIoAndReadsGeometryThroughIoctls()
    {
        using LoopDevice loop = LoopDevice.Create(Size);
        using FileBlockDevice device = FileBlockDevice.Open(loop.Path);
        Assert.True(device.IsBlockDevice);
        Assert.True(device.IsDirectIo);
        Assert.Equal(Size, device.Size); // BLKGETSIZE64
        Assert.Equal(512, device.LogicalBlockSize); // BLKSSZGET
        Assert.True(device.PhysicalBlockSize >= 512 && (device.PhysicalBlockSize & (device.PhysicalBlockSize - 1)) == 0, $"BLKPBSZGET gave {device.PhysicalBlockSize}");
    }

    [Fact]
    public async Task AlignedAndUnalignedBuffersRoundTripAndFlush()
    {
        using LoopDevice loop = LoopDevice.Create(Size);
        using FileBlockDevice device = FileBlockDevice.Open(loop.Path);
        await DeviceChecks.AlignedAndUnalignedRoundTrip(device);
    }

    [Fact]
    public void SecondExclusiveOpenFailsWithEbusy()
    {
        using LoopDevice loop = LoopDevice.Create(Size);
        DeviceChecks.SecondOpenIsBusy(loop.Path);
    }

    [Fact]
    public async Task BlkDiscardZeroesTheRange()
    {
        using LoopDevice loop = LoopDevice.Create(Size);
        using FileBlockDevice device = FileBlockDevice.Open(loop.Path);
        await DeviceChecks.DiscardReadsBackZeros(device);
    }
}
