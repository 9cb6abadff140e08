using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Tests.Engine;
using Xunit.Abstractions;

namespace Primitives.Filesystem.Tests.Crash;

public class CrashConsistencyTests(ITestOutputHelper output)
{
    /// <summary>Crash states checked (a count, not a time bound): spread evenly over every flush epoch's prefixes and random subsets.</summary>
    private const int MaxStates = 2000;

    [Fact]
    public async Task EveryCrashStateMountsCleanlyUnderFsckAndKeepsEveryAcknowledgedKey()
    {
        var inner = await EngineFixture.FormattedMemoryAsync(16 << 20);
        var recording = new RecordingBlockDevice(inner);
        var options = new WorkloadOptions
        {
            Threads = 2,
            TransactionsPerThread = 150,
            KeysPerTransaction = 3,
            KeySpacePerThread = 64,
            DataEvery = 2,
            DataSize = 6000,
            DeleteEvery = 5,
            FlushEvery = 10,
            DurabilityStamp = () => recording.FlushCount,
        };
        WorkloadResult result;
        await using (var fs = await FileSystem.MountAsync(recording, EngineFixture.Quiet))
        {
            result = await EngineFixture.RunWorkloadAsync(fs, options);

            // Dropped without unmounting: the tail after the last flush is what a crash may lose.
        }

        var states = recording.EnumerateCrashStates(randomSubsetsPerEpoch: 40, seed: 6).ToList();
        int step = Math.Max(1, states.Count / MaxStates);
        var chosen = states.Where((_, i) => i % step == 0 || i == states.Count - 1).ToList();
        int checkedStates = 0, replayedStates = 0;
        var failures = new List<string>();
        foreach (var state in chosen)
        {
            var image = state.Materialize();
            string? failure = await CheckStateAsync(image, state.Epoch, result);
            if (failure is not null)
            {
                failures.Add($"{state}: {failure}");
                if (failures.Count >= 5)
                {
                    break;
                }
            }

            checkedStates++;
            replayedStates += state.Epoch > 0 ? 1 : 0;
        }

        output.WriteLine($"{recording.Writes.Count} writes in {recording.EpochSizes.Count} flush epochs; {states.Count} crash states enumerated, {checkedStates} checked (mount, verify {result.Acknowledgements.Count} acknowledgements, unmount, fsck)");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(checkedStates >= Math.Min(100, states.Count), $"only {checkedStates} crash states checked");
    }

    private static async Task<string?> CheckStateAsync(MemoryBlockDevice image, int epoch, WorkloadResult result)
    {
        // What this state must hold: for every key, its newest acknowledgement whose flush started at or before this epoch.
        var expected = new Dictionary<(BtreeId, Bpos), long>();
        foreach (var (btree, pos, version, stamp) in result.Acknowledgements)
        {
            if (stamp <= epoch && (!expected.TryGetValue((btree, pos), out long v) || Math.Abs(version) > Math.Abs(v)))
            {
                expected[(btree, pos)] = version;
            }
        }

        try
        {
            await using (var fs = await FileSystem.MountAsync(image, EngineFixture.Quiet))
            {
                var problems = await Workload.VerifyAsync(fs.KeyValues, fs.Data, expected, result.Deletes);
                if (problems.Count > 0)
                {
                    return $"{problems.Count} acknowledged keys lost, e.g. {problems[0]}";
                }

                await fs.UnmountAsync();
            }

            var report = await global::Primitives.Filesystem.Fsck.Fsck.RunAsync(image, global::Primitives.Filesystem.Fsck.FsckOptions.CheckOnly);
            return report.IsClean ? null : $"fsck: {report}";
        }
        catch (FilesystemException e)
        {
            return $"{e.GetType().Name}: {e.Message}";
        }
    }
}
