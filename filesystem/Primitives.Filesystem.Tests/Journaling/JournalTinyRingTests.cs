using Primitives.Filesystem.Journaling;
using static Primitives.Filesystem.Tests.Journaling.JournalTestKit;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>The Coyote full-ring scenario on real threads, repeated: writers on a tiny ring whose objects flush only when reclaim asks.</summary>
public sealed class JournalTinyRingTests
{
    [Fact]
    public async Task ThreeWritersOnATinyRingAllCompleteAndShutdownIsClean()
    {
        for (int iteration = 0; iteration < 50; iteration++)
        {
            JournalRegion[] regions = [new(4096, 8192), new(12288, 8192)];
            var device = new TestBlockDevice(32768);
            var journal = Journal.Open(device, regions, 512, new JournalOptions { CommitDelay = null, MaxEntrySize = 2048, PinFifoSize = 16 });
            int flushedObjects = 0;
            var pins = new JournalPin[12];
            for (int i = 0; i < pins.Length; i++)
            {
                pins[i] = new JournalPin((p, _, _) =>
                {
                    Interlocked.Increment(ref flushedObjects);
                    journal.PinDrop(p);
                    return ValueTask.CompletedTask;
                });
            }

            Task Writer(int w) => Task.Run(async () =>
            {
                for (int i = 0; i < 4; i++)
                {
                    long seq;
                    using (JournalReservation res = await journal.ReserveAsync(Journal.RecordSize(1500)))
                    {
                        res.Add(1, new byte[1500]);
                        res.SetPin(pins[(w * 4) + i]);
                        seq = res.Seq;
                    }

                    await journal.FlushAsync(seq);
                }
            });

            await Task.WhenAll(Writer(0), Writer(1), Writer(2)).WaitAsync(TimeSpan.FromSeconds(60));
            Assert.True(flushedObjects > 0, "12 pinned 1.5 KiB entries cannot fit in 16 KiB without reclaim");
            await journal.ShutdownAsync().WaitAsync(TimeSpan.FromSeconds(60));
            Assert.Equal(12, flushedObjects);
            JournalReplay replay = await Journal.ReadAsync(device, regions, 512);
            Assert.Equal(replay.Newest!.Seq, Assert.Single(replay.Entries).LastSeq);
        }
    }
}
