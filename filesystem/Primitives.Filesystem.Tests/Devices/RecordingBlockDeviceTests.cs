using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Devices;

public sealed class RecordingBlockDeviceTests
{
    private static byte[] Block(byte value) => Enumerable.Repeat(value, 512).ToArray();

    /// <summary>Epoch 0: writes 1,2,3; flush; epoch 1: writes 4,5; flush; epoch 2 (open): writes 6,7,8,9.</summary>
    private static async Task<RecordingBlockDevice> RecordThreeEpochs()
    {
        var inner = new MemoryBlockDevice(1024 * 1024);
        inner.Write(0, Block(0xEE)); // before recording: part of the starting image
        var device = new RecordingBlockDevice(inner);
        for (int i = 1; i <= 3; i++)
        {
            await device.WriteAsync(i * 512L, Block((byte)i));
        }

        await device.FlushAsync();
        await device.WriteAsync(4 * 512L, Block(4));
        await device.WriteAsync(1 * 512L, Block(5)); // overwrites block 1
        await device.FlushAsync();
        for (int i = 6; i <= 9; i++)
        {
            await device.WriteAsync(i * 512L, Block((byte)i));
        }

        return device;
    }

    [Fact]
    public async Task EnumeratesEveryPrefixAndDistinctRandomSubsetsPerEpoch()
    {
        RecordingBlockDevice device = await RecordThreeEpochs();
        Assert.Equal([3, 2, 4], device.EpochSizes);
        Assert.Equal(2, device.FlushCount);
        Assert.Equal(2, device.CurrentEpoch);
        Assert.Equal(2, device.DurableEpochs);

        // Prefixes: the empty state + 3 + 2 + 4 = 10. Non-prefix subsets available: epoch 0:
        // 2^3 - 4 = 4, epoch 1: 2^2 - 3 = 1, epoch 2: 2^4 - 5 = 11 (capped at 5): 10 more.
        List<CrashState> states = device.EnumerateCrashStates(randomSubsetsPerEpoch: 5, seed: 42).ToList();
        Assert.Equal(20, states.Count);
        Assert.Equal(10, device.EnumerateCrashStates(0, 42).Count());
        Assert.Equal(states.Count, states.Select(s => s.Description).Distinct().Count());
        Assert.Equal(
            states.Select(s => s.Description),
            device.EnumerateCrashStates(5, 42).Select(s => s.Description)); // deterministic for a seed
        Assert.All(states.Where(s => s.Description.Contains("subset", StringComparison.Ordinal)), s =>
            Assert.False(s.IncludedOfEpoch.SequenceEqual(Enumerable.Range(0, s.IncludedOfEpoch.Count))));
    }

    [Fact]
    public async Task MaterializedStatesHoldExactlyTheirWrites()
    {
        RecordingBlockDevice device = await RecordThreeEpochs();
        List<CrashState> states = device.EnumerateCrashStates(20, 7).ToList();

        byte[] blocks = new byte[10 * 512];
        CrashState empty = states.Single(s => s.Epoch == 0 && s.IncludedOfEpoch.Count == 0);
        empty.Materialize().Read(0, blocks);
        Assert.Equal(0xEE, blocks[0]); // the starting image
        Assert.True(blocks.AsSpan(512).IndexOfAnyExcept((byte)0) < 0);

        // Epoch 1, prefix 1: all of epoch 0 (blocks 1-3) plus write 4; block 1 not yet overwritten.
        CrashState s1 = states.Single(s => s.Description == "epoch 1: prefix 1 of 2 writes");
        s1.Materialize().Read(0, blocks);
        Assert.Equal([0xEE, 1, 2, 3, 4, 0], Enumerable.Range(0, 6).Select(i => blocks[i * 512]));

        // Epoch 2, subset {1,3}: epochs 0 and 1 whole (block 1 = 5), then writes 7 and 9 only.
        CrashState s2 = states.Single(s => s.Epoch == 2 && s.IncludedOfEpoch.SequenceEqual([1, 3]));
        s2.Materialize().Read(0, blocks);
        Assert.Equal([0xEE, 5, 2, 3, 4, 0, 0, 7, 0, 9], Enumerable.Range(0, 10).Select(i => blocks[i * 512]));
    }

    [Fact]
    public async Task DataAcknowledgedByAFlushSurvivesEveryLaterCrashState()
    {
        var device = new RecordingBlockDevice(new MemoryBlockDevice(1024 * 1024));
        await device.WriteAsync(0, Block(1));
        await device.WriteAsync(512, Block(2));
        await device.FlushAsync();
        int acknowledgedAt = device.FlushCount; // "fsync returned" here
        await device.WriteAsync(0, Block(3));
        await device.WriteAsync(1024, Block(4));
        await device.FlushAsync();
        await device.WriteAsync(512, Block(5));

        int checkedStates = 0;
        foreach (CrashState state in device.EnumerateCrashStates(8, 1).Where(s => s.FlushesCovered >= acknowledgedAt))
        {
            byte[] b = new byte[1536];
            state.Materialize().Read(0, b);
            Assert.True(b[0] is 1 or 3, state.Description); // block 0: the acknowledged value or a newer one
            Assert.True(b[512] is 2 or 5, state.Description);
            checkedStates++;
        }

        Assert.Equal(4, checkedStates); // epoch 1: prefixes 1, 2 and subset {1}; epoch 2: prefix 1
    }

    [Fact]
    public async Task TornWritesLandAWholeBlockPrefixOfOneMultiBlockWrite()
    {
        var device = new RecordingBlockDevice(new MemoryBlockDevice(1024 * 1024));
        await device.WriteAsync(0, Block(1));
        await device.WriteAsync(4096, Enumerable.Repeat((byte)2, 4096).ToArray()); // 8 blocks
        await device.FlushAsync();
        await device.WriteAsync(8192, Enumerable.Repeat((byte)3, 2048).ToArray()); // 4 blocks

        List<CrashState> torn = device.EnumerateCrashStates(0, 5, tornWrites: true).Where(s => s.TornWriteOfEpoch >= 0).ToList();
        Assert.Equal(2, torn.Count); // the single-block write cannot tear
        // Epoch 0: prefixes 0-2, 1 torn, 1 non-prefix subset ({1}); epoch 1: prefix 1, 1 torn.
        Assert.Equal(7, device.EnumerateCrashStates(3, 5, tornWrites: true).Count());
        foreach (CrashState state in torn)
        {
            Assert.InRange(state.TornBytes, 512, 4096 - 512 + (state.Epoch == 1 ? -2048 : 0));
            byte[] image = new byte[16384];
            state.Materialize().Read(0, image);
            long start = state.Epoch == 0 ? 4096 : 8192;
            byte fill = state.Epoch == 0 ? (byte)2 : (byte)3;
            Assert.True(image.AsSpan((int)start, (int)state.TornBytes).IndexOfAnyExcept(fill) < 0, state.Description);
            Assert.True(image.AsSpan((int)(start + state.TornBytes), 512).IndexOfAnyExcept((byte)0) < 0, state.Description);
            Assert.Contains("torn after", state.Description, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task DiscardsAreRecordedAsZeroingWrites()
    {
        var device = new RecordingBlockDevice(new MemoryBlockDevice(1024 * 1024));
        await device.WriteAsync(0, Block(1));
        await device.FlushAsync();
        await device.DiscardAsync(0, 512);
        RecordedWrite discard = device.Writes[^1];
        Assert.True(discard.IsDiscard);
        byte[] b = new byte[512];
        device.EnumerateCrashStates(0, 0).Single(s => s.Description == "epoch 1: prefix 1 of 1 writes").Materialize().Read(0, b);
        Assert.True(b.AsSpan().IndexOfAnyExcept((byte)0) < 0);
        device.EnumerateCrashStates(0, 0).Single(s => s.Description == "epoch 0: prefix 1 of 1 writes").Materialize().Read(0, b);
        Assert.Equal(Block(1), b);
    }

    [Fact]
    public async Task AFailedFlushIsNotCountedAsDurable()
    {
        var inner = new MemoryBlockDevice(1024 * 1024) { Faults = new DeviceFaults { FailFlushNumber = 1 } };
        var device = new RecordingBlockDevice(inner);
        await device.WriteAsync(0, Block(1));
        await Assert.ThrowsAsync<DeviceException>(async () => await device.FlushAsync());
        Assert.Equal(0, device.FlushCount);
        Assert.Equal(0, device.DurableEpochs);
        Assert.Throws<ArgumentOutOfRangeException>(() => device.EnumerateCrashStates(-1, 0));
    }
}
