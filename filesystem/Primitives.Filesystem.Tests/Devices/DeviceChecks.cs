using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Devices;

/// <summary>Checks shared by the image-file and loop-device tests.</summary>
internal static class DeviceChecks
{
    public static byte[] Pattern(int length, int seed)
    {
        byte[] data = new byte[length];
        new Random(seed).NextBytes(data);
        return data;
    }

    public static async Task AlignedAndUnalignedRoundTrip(FileBlockDevice device)
    {
        // Aligned native memory: goes straight to the device.
        using var aligned = new AlignedBuffer(64 * 1024);
        Pattern(aligned.Length, 1).CopyTo(aligned.Memory);
        long bouncedBefore = device.BouncedCount;
        await device.WriteAsync(0, aligned.Memory);
        Assert.Equal(bouncedBefore, device.BouncedCount);

        // Unaligned managed memory (offset by one byte inside an array): bounced.
        byte[] backing = new byte[(128 * 1024) + 1];
        Memory<byte> unaligned = backing.AsMemory(1, 128 * 1024);
        Assert.False(AlignedBuffer.IsAligned(unaligned, AlignedBuffer.Alignment));
        Pattern(unaligned.Length, 2).CopyTo(unaligned);
        await device.WriteAsync(1024 * 1024, unaligned);
        Assert.True(device.BouncedCount > bouncedBefore);

        await device.FlushAsync();
        Assert.Equal(1, device.FlushStats.GetSnapshot().Count);

        byte[] readBack = new byte[(64 * 1024) + 1];
        Memory<byte> readUnaligned = readBack.AsMemory(1, 64 * 1024);
        await device.ReadAsync(0, readUnaligned);
        Assert.True(readUnaligned.Span.SequenceEqual(Pattern(64 * 1024, 1)));

        using var readAligned = new AlignedBuffer(128 * 1024);
        await device.ReadAsync(1024 * 1024, readAligned.Memory);
        Assert.True(readAligned.Memory.Span.SequenceEqual(Pattern(128 * 1024, 2)));
    }

    public static async Task DiscardReadsBackZeros(FileBlockDevice device)
    {
        const long offset = 4L * 1024 * 1024;
        const int length = 1024 * 1024;
        await device.WriteAsync(offset, Pattern(length, 3));
        await device.FlushAsync();
        byte[] before = new byte[length];
        await device.ReadAsync(offset, before);
        Assert.Contains(before, b => b != 0);

        await device.DiscardAsync(offset, length);
        byte[] after = new byte[length];
        await device.ReadAsync(offset, after);
        Assert.True(after.AsSpan().IndexOfAnyExcept((byte)0) < 0, "the discarded range must read back as zeros");

        // Neighbours are untouched.
        byte[] neighbour = new byte[4096];
        await device.WriteAsync(offset + length, Pattern(4096, 4));
        await device.ReadAsync(offset + length, neighbour);
        Assert.Equal(Pattern(4096, 4), neighbour);
    }

    public static void SecondOpenIsBusy(string path)
    {
        using FileBlockDevice first = FileBlockDevice.Open(path);
        DeviceBusyException busy = Assert.Throws<DeviceBusyException>(() => FileBlockDevice.Open(path));
        Assert.Contains(path, busy.Message, StringComparison.Ordinal);
        Assert.Equal(DeviceOperation.Open, busy.Operation);
        Assert.Equal(path, busy.Device);
        Assert.True(busy.Errno is 16 or 11, $"errno {busy.Errno}");
        first.Dispose();

        using FileBlockDevice again = FileBlockDevice.Open(path); // released with the first handle
        Assert.Equal(path, again.Name);
    }
}
