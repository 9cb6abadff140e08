using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

/// <summary>
/// Node space is reused: overwriting a bounded key set for many journal cycles (each cycle's write-back
/// passes move every dirty node to a new location and free the old one) keeps the buckets in use
/// bounded. A leak of old node locations would grow them round after round until the device is full.
/// </summary>
public class SpaceReuseTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public async Task OverwritingABoundedKeySetForManyJournalCyclesKeepsTheBucketsInUseBounded()
    {
        var device = new MemoryBlockDevice(32 << 20);
        await FileSystem.FormatAsync(device, EngineFixture.SmallFormat);
        await using var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet);
        const int Keys = 600, Rounds = 60;
        long usedAfterWarmUp = 0, maxUsed = 0;
        for (int round = 0; round < Rounds; round++)
        {
            for (int i = 0; i < Keys; i++)
            {
                using var tx = fs.KeyValues.Begin();
                tx.Set(BtreeId.Xattrs, new Bpos(7, (ulong)i), EngineFixture.Value((round * Keys) + i, 40));
                tx.Commit();
            }

            long used = InUse(fs.Allocator.Snapshot(), fs.Allocator.DataBucketCount);
            if (round == 5)
            {
                usedAfterWarmUp = used;
            }

            maxUsed = Math.Max(maxUsed, used);
        }

        output.WriteLine($"{Rounds * Keys} commits over {Keys} keys: {fs.Store.ReclaimRequests} reclaim requests, {fs.Store.WriteBackPasses} write-back passes; buckets in use {usedAfterWarmUp} after round 5, at most {maxUsed} of {fs.Allocator.DataBucketCount}");
        Assert.True(fs.Store.ReclaimRequests > 10, $"the journal cycled only {fs.Store.ReclaimRequests} times: {EngineFixture.Describe(fs)}");
        Assert.True(maxUsed <= usedAfterWarmUp + 24, $"buckets in use grew from {usedAfterWarmUp} after the warm-up to {maxUsed} of {fs.Allocator.DataBucketCount}");
        using (var tx = fs.KeyValues.Begin())
        {
            Assert.True(tx.TryGet(BtreeId.Xattrs, new Bpos(7, Keys - 1), out var last));
            Assert.Equal(EngineFixture.Value(((Rounds - 1) * Keys) + Keys - 1, 40), last.ToArray());
        }

        await fs.UnmountAsync();
    }

    /// <summary>Data buckets neither free, nor waiting to become free (discard or journal).</summary>
    private static long InUse(AllocatorSnapshot s, long dataBuckets) => dataBuckets - s.FreeBuckets - s.NeedDiscardBuckets - s.WaitingForJournal - s.DiscardsInFlight;
}
