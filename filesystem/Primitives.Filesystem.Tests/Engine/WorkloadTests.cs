using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

public class WorkloadTests
{
    [Fact]
    public async Task ConcurrentWorkloadOnMemoryVerifiesAfterCleanAndUncleanRemount()
    {
        var device = await EngineFixture.FormattedMemoryAsync(32 << 20);
        var options = new WorkloadOptions { Threads = 2, TransactionsPerThread = 150, DataSize = 4096 };
        if (Environment.GetEnvironmentVariable("WL") is { } wl)
        {
            var p = wl.Split(',').Select(int.Parse).ToArray();
            options = options with { Threads = p[0], DataEvery = p[1], FlushEvery = p[2], DeleteEvery = p[3] };
        }

        WorkloadResult result;
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            var run = new Workload(options).RunAsync(fs.KeyValues, fs.Data);
            if (await Task.WhenAny(run, Task.Delay(15000)) != run)
            {
                Assert.Fail($"hung: journal {fs.Journal}; stats commits {fs.Statistics.Commits} flushes {fs.Statistics.Flushes}; alloc unpersisted {fs.AllocJournal.UnpersistedCount}");
            }

            result = await run;
            Assert.Equal(options.Threads * 150, result.Commits);
            await fs.UnmountAsync();
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.Empty(await Workload.VerifyAsync(fs.KeyValues, fs.Data, result.Durable, result.Deletes));
        }

        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            Assert.False(fs.Mount.WasClean);
            Assert.Empty(await Workload.VerifyAsync(fs.KeyValues, fs.Data, result.Durable, result.Deletes));
            await fs.UnmountAsync();
        }
    }
}
