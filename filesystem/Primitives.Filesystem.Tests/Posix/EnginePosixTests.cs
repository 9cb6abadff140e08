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

    [Fact]
    public async Task NamespaceXattrsAndDataSurviveARemount()
    {
        var f = await EnginePosixFixture.CreateAsync();
        ulong dir = 0, file = 0, link = 0;
        var data = new byte[200_000];
        new Random(9).NextBytes(data);
        Bounded(() =>
        {
            dir = f.Fs.MakeDirectory(Root, N("d"), 0x1ED, 1, 2).Ino;
            file = f.Fs.CreateNode(dir, N("f"), FileTypeBits.Regular | 0x1A4, 0, 1, 2).Ino;
            f.Fs.Write(file, 0, data);
            f.Fs.Link(file, Root, N("hard"));
            link = f.Fs.CreateSymlink(Root, N("l"), N("d/f"), 0, 0).Ino;
            f.Fs.SetXattr(file, N("user.k"), N("v"));
            var gone = f.Fs.CreateNode(dir, N("gone"), FileTypeBits.Regular, 0, 0, 0).Ino;
            f.Fs.Write(gone, 0, new byte[50_000]);
            f.Fs.Rename(dir, N("f"), Root, N("moved"));
            f.Fs.Unlink(dir, N("gone"));
        }, f);
        await f.RemountAsync();
        Assert.Equal(file, f.Fs.Lookup(Root, N("moved")).Ino);
        Assert.Equal(2u, f.Fs.GetAttributes(file).Nlink);
        Assert.Equal(N("d/f"), f.Fs.ReadLink(link));
        Assert.Equal(N("v"), f.Fs.GetXattr(file, N("user.k")));
        var back = new byte[data.Length];
        Assert.Equal(data.Length, f.Fs.Read(file, 0, back));
        Assert.Equal(data, back);
        Assert.Equal([".", ".."], f.Fs.ReadDirectory(dir, 0, 10).Select(e => System.Text.Encoding.UTF8.GetString(e.Name)));
        Assert.Empty(PosixConsistency.Check(f.Mounted.KeyValues));
        await f.DisposeAsync();
    }

    [Fact]
    public async Task SyncedOperationsSurviveACrashAndUnsyncedOnesLeaveAConsistentTree()
    {
        var f = await EnginePosixFixture.CreateAsync();
        var synced = new byte[120_000];
        new Random(4).NextBytes(synced);
        ulong a = 0;
        Bounded(() =>
        {
            a = f.Fs.CreateNode(Root, N("a"), FileTypeBits.Regular | 0x1A4, 0, 0, 0).Ino;
            f.Fs.Write(a, 0, synced);
            f.Fs.Sync();
            // Not synced: may or may not survive, but the tree must stay consistent either way.
            var b = f.Fs.CreateNode(Root, N("b"), FileTypeBits.Regular, 0, 0, 0, open: true).Ino;
            f.Fs.Write(b, 0, new byte[70_000]);
            f.Fs.Unlink(Root, N("b")); // an orphan: open when the "crash" comes
            f.Fs.Write(a, 1000, new byte[5000]);
        }, f);
        await f.CrashAndRemountAsync();
        var back = new byte[synced.Length];
        Assert.Equal(synced.Length, f.Fs.Read(a, 0, back));
        Assert.Equal(synced.AsSpan(0, 1000).ToArray(), back.AsSpan(0, 1000).ToArray());
        Assert.Equal(synced.AsSpan(6000).ToArray(), back.AsSpan(6000).ToArray());
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => f.Fs.Lookup(Root, N("b"))));
        Assert.Empty(PosixConsistency.Check(f.Mounted.KeyValues));
        await f.DisposeAsync();
    }
}
