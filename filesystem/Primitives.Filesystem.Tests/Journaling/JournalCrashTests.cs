using Primitives.Filesystem.Journaling;
using Xunit.Abstractions;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>
/// Crash consistency: at many points of a workload, every image a crash could leave (any subset
/// of the writes since the last flush, and torn writes) must replay without a corruption report,
/// with every acknowledged (flushed) record present and nothing that was never committed; and a
/// journal reopened on a crash image must keep working through a second crash.
/// </summary>
public sealed class JournalCrashTests(ITestOutputHelper output)
{
    [Fact]
    public async Task EveryCrashStateReplaysEveryAcknowledgedRecord()
    {
        JournalRegion[] regions = Regions(4, 32 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options(maxEntry: 4096));
        var keep = new ManualPin(); // keeps every entry needed, so acknowledged means replayed
        var acknowledged = new HashSet<long>();
        var random = new Random(6003);
        int states = 0;
        for (long id = 1; id <= 60; id++)
        {
            long seq = Commit(journal, id, length: 16 + random.Next(600));
            if (id == 1)
            {
                journal.PinAdd(keep, seq);
            }

            switch (random.Next(4))
            {
                case 0:
                    await journal.FlushAsync(seq);
                    acknowledged.Add(id);
                    break;
                case 1:
                    journal.CloseCurrentEntry(); // written without a flush: not acknowledged
                    break;
            }

            if (id % 3 == 0)
            {
                await WaitForWrites(journal);
                var ackNow = acknowledged.Where(a => a <= id).ToHashSet();
                foreach ((string name, byte[] image) in device.CrashImages())
                {
                    states++;
                    var crashed = TestBlockDevice.FromImage(image);
                    JournalReplay replay;
                    try
                    {
                        replay = await Replay(crashed, regions);
                    }
                    catch (JournalChecksumException ex)
                    {
                        Assert.Fail($"after id {id}, crash state '{name}': replay reported corruption: {ex.Message}");
                        throw;
                    }

                    long[] ids = Ids(replay).ToArray();
                    Assert.True(ackNow.IsSubsetOf(ids), $"after id {id}, crash state '{name}': acknowledged ids missing: {string.Join(",", ackNow.Except(ids))}");
                    Assert.Equal(Enumerable.Range(1, ids.Length).Select(i => (long)i), ids); // a prefix of what was committed, in order
                }
            }
        }

        output.WriteLine($"{states} crash states replayed, {acknowledged.Count} acknowledged commits");
        Assert.True(states > 100, $"only {states} crash states");
    }

    [Fact]
    public async Task JournalReopenedOnACrashImageSurvivesASecondCrash()
    {
        JournalRegion[] regions = Regions(4, 16 * 1024);
        var device = Device(regions);
        var journal = Journal.Open(device, regions, Block, Options());
        var keep = new ManualPin();
        journal.PinAdd(keep, Commit(journal, 1));
        await journal.FlushAsync(Commit(journal, 2));
        Commit(journal, 3);
        journal.CloseCurrentEntry(); // id 3: written, never flushed
        Commit(journal, 4);
        journal.CloseCurrentEntry();
        await WaitForWrites(journal);

        int checkedStates = 0;
        foreach ((string name, byte[] image) in device.CrashImages())
        {
            var crashed = TestBlockDevice.FromImage(image);
            JournalReplay first = await Replay(crashed, regions);
            Assert.Equal([1L, 2L], Ids(first));

            // Reopen, commit new records, crash again with the unflushed tail of the first life still on disk.
            var second = Journal.Open(crashed, regions, Block, Options(), startAfter: first);
            long a = Commit(second, 10);
            await second.FlushAsync(a);
            Commit(second, 11);
            second.CloseCurrentEntry();
            await WaitForWrites(second);
            foreach ((string name2, byte[] image2) in crashed.CrashImages())
            {
                checkedStates++;
                JournalReplay again = await Replay(TestBlockDevice.FromImage(image2), regions);
                long[] ids = Ids(again).ToArray();
                // 10 was flushed; 11 sits in an entry after the newest flush entry, so it is not trusted.
                Assert.True(ids.SequenceEqual([1L, 2L, 10L]), $"first crash '{name}', second crash '{name2}': replayed {string.Join(",", ids)}");
                Assert.DoesNotContain(3L, ids); // the first life's unflushed tail never comes back
                Assert.DoesNotContain(4L, ids);
            }
        }

        Assert.True(checkedStates > 4);
    }

    /// <summary>Waits until every closed entry is written (the open one, if any, is not).</summary>
    private static async Task WaitForWrites(Journal journal)
    {
        for (int i = 0; i < 10_000 && journal.WrittenSeq < journal.CurrentSeq - (journal.IsEntryOpen ? 1 : 0); i++)
        {
            await Task.Delay(1);
        }

        Assert.True(journal.WrittenSeq >= journal.CurrentSeq - (journal.IsEntryOpen ? 1 : 0), $"writes did not complete: {journal}");
    }
}
