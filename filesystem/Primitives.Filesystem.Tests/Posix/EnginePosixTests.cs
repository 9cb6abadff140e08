using Primitives.Filesystem.Posix;

using static Primitives.Filesystem.Tests.Posix.PosixTestFilesystem;

namespace Primitives.Filesystem.Tests.Posix;

public class EnginePosixTests
{
    private static void Bounded(Action body, EnginePosixFixture f)
    {
        var work = Task.Run(body);
        if (!work.Wait(TimeSpan.FromSeconds(60)))
        {
            var info = f.Mounted.Describe();
            Assert.Fail("POSIX operations on the engine did not finish in 60 s; engine: "
                + string.Join("; ", info.Superblock.Select(kv => $"{kv.Item1}={kv.Item2}"))
                + "; buckets: " + string.Join(", ", info.BucketsByType.Select(b => $"{b.Item1}={b.Item2}"))
                + $"; commits {f.Mounted.Statistics.Commits}, flushes {f.Mounted.Statistics.Flushes}, data writes {f.Mounted.Statistics.DataWrites}");
        }

        work.GetAwaiter().GetResult();
    }

    [Fact]
    public async Task RandomWritesTruncatesAndReadsMatchAModel()
    {
        var f = await EnginePosixFixture.CreateAsync();
        var model = new List<byte>();
        ulong ino = 0;
        Bounded(() =>
        {
            ino = f.Fs.CreateNode(Root, N("f"), FileTypeBits.Regular | 0x1A4, 0, 0, 0).Ino;
            var rng = new Random(5);
            for (int op = 0; op < 1500; op++)
            {
                if (rng.Next(4) > 0)
                {
                    int off = rng.Next(400_000);
                    var data = new byte[rng.Next(1, 90_000)];
                    rng.NextBytes(data);
                    f.Fs.Write(ino, off, data);
                    while (model.Count < off + data.Length)
                    {
                        model.Add(0);
                    }

                    data.CopyTo(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(model)[off..]);
                }
                else
                {
                    int size = rng.Next(500_000);
                    f.Fs.SetAttributes(ino, new SetAttributes { Size = (ulong)size });
                    if (size < model.Count)
                    {
                        model.RemoveRange(size, model.Count - size);
                    }

                    while (model.Count < size)
                    {
                        model.Add(0);
                    }
                }

                if (op % 100 == 0)
                {
                    f.Fs.Sync();
                }
            }
        }, f);
        var back = new byte[model.Count];
        Assert.Equal(model.Count, f.Fs.Read(ino, 0, back));
        Assert.Equal(model.ToArray(), back);
        Assert.Empty(PosixConsistency.Check(f.Mounted.KeyValues));
        await f.DisposeAsync();
    }
}
