using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

/// <summary>
/// Liveness under journal pressure: several committing threads (keys, data extents, deletes,
/// fsyncs) on the small test journal (4 x 64 KiB regions), where reclaim must keep up with
/// commits that re-dirty the nodes it is writing. Before write-back passes (one root record per
/// btree instead of one pointer record per node write), 4 committers stalled here in 2 of 3 runs.
/// </summary>
public class JournalPressureTests
{
    [Theory]
    [InlineData(4, 1, 150)]
    [InlineData(4, 2, 150)]
    [InlineData(8, 3, 100)]
    [InlineData(1, 4, 600)]
    public async Task CommittersOnTheSmallJournalDoNotStall(int threads, int seed, int transactions)
    {
        var device = new MemoryBlockDevice(32 << 20);
        await FileSystem.FormatAsync(device, EngineFixture.SmallFormat);
        var options = new WorkloadOptions
        {
            Threads = threads,
            Seed = seed,
            TransactionsPerThread = transactions,
            DataEvery = 3,
            DataSize = 4096,
            DeleteEvery = 5,
            FlushEvery = 4,
        };

        WorkloadResult result;
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            result = await EngineFixture.RunWorkloadAsync(fs, options);
            Assert.Equal(options.Threads * options.TransactionsPerThread, result.Commits);
            Assert.True(fs.Store.ReclaimRequests > 0, $"the journal never filled: {EngineFixture.Describe(fs)}");
            await fs.UnmountAsync();
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.Empty(await Workload.VerifyAsync(fs.KeyValues, fs.Data, result.Durable, result.Deletes));
            await fs.UnmountAsync();
        }
    }
}
