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

    /// <summary>How long an engine workload may run without finishing before a test calls it stalled (generous: runs take seconds).</summary>
    public static TimeSpan StallLimit { get; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Runs <paramref name="workload"/> on <paramref name="fs"/> and returns its result, or fails the
    /// test with the engine's journal and pin state when it does not finish within
    /// <see cref="StallLimit"/> (a stalled engine fails the test instead of hanging the run).
    /// </summary>
    public static async Task<WorkloadResult> RunWorkloadAsync(MountedFilesystem fs, WorkloadOptions workload)
    {
        Task<WorkloadResult> run = new Workload(workload).RunAsync(fs.KeyValues, fs.Data);
        try
        {
            return await run.WaitAsync(StallLimit);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"no progress within {StallLimit}: {Describe(fs)}");
            throw;
        }
    }

    /// <summary>The engine's journal, counters and pinned nodes, for a stall report.</summary>
    public static string Describe(MountedFilesystem fs)
    {
        var pinned = fs.Store.CollectNodes().Where(n => n.PinSeq != 0).Take(20)
            .Select(n => $"{n} pin {n.PinSeq} first-dirty {n.FirstDirtySeq} clean-at {n.CleanAt}");
        return $"journal {fs.Journal}; commits {fs.Statistics.Commits}, flushes {fs.Statistics.Flushes}, write-back passes {fs.Store.WriteBackPasses} ({fs.Store.ReclaimRequests} asked by reclaim), write-back now: {fs.Store.WriteBackStage}; "
            + $"alloc unpersisted {fs.AllocJournal.UnpersistedCount}; pinned nodes: {string.Join("; ", pinned)}";
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
