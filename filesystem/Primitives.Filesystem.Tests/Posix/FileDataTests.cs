using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

using static Primitives.Filesystem.Tests.Posix.PosixTestFilesystem;

namespace Primitives.Filesystem.Tests.Posix;

public class FileDataTests
{
    [Fact]
    public void WriteThenReadBack()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        var data = Enumerable.Range(0, 300_000).Select(i => (byte)(i * 7)).ToArray();
        Assert.Equal(data.Length, t.Fs.Write(f.Ino, 0, data));
        Assert.Equal((ulong)data.Length, t.Fs.GetAttributes(f.Ino).Size);
        Assert.Equal(data, t.ReadAll(f.Ino));
        var part = new byte[1000];
        Assert.Equal(1000, t.Fs.Read(f.Ino, 65_000, part));
        Assert.Equal(data.AsSpan(65_000, 1000).ToArray(), part);
        Assert.Equal(0, t.Fs.Read(f.Ino, 400_000, part));
        Assert.Equal(500, t.Fs.Read(f.Ino, data.Length - 500, part));
    }

    [Fact]
    public void HolesReadAsZerosAndAreNotAllocated()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        t.Fs.Write(f.Ino, 10 << 20, "end"u8);
        var inode = t.Fs.GetAttributes(f.Ino);
        Assert.Equal((10ul << 20) + 3, inode.Size);
        Assert.True(inode.AllocatedBytes <= 4096);
        var buffer = new byte[8192];
        buffer.AsSpan().Fill(0xEE);
        Assert.Equal(8192, t.Fs.Read(f.Ino, 5 << 20, buffer));
        Assert.All(buffer, b => Assert.Equal(0, b));
    }

    [Fact]
    public void OverwriteInTheMiddleSplitsAndReleasesNothingLive()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        var model = new byte[64 * 1024];
        new Random(1).NextBytes(model);
        t.Fs.Write(f.Ino, 0, model);
        var patch = Enumerable.Repeat((byte)0xAB, 100).ToArray();
        t.Fs.Write(f.Ino, 30_000, patch);
        patch.CopyTo(model, 30_000);
        Assert.Equal(model, t.ReadAll(f.Ino));
        // One pointer per extent: the clipped head, the rewritten block, the rewritten tail.
        Assert.Equal(t.Kv.Count(BtreeId.Extents), t.Data.LivePointers);
        t.Fs.Unlink(Root, N("f"));
        Assert.Equal(0, t.Data.LivePointers);
    }

    [Fact]
    public void TruncateShrinksThenGrowsWithZeros()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        var data = Enumerable.Repeat((byte)0x55, 100_000).ToArray();
        t.Fs.Write(f.Ino, 0, data);
        t.Fs.SetAttributes(f.Ino, new SetAttributes { Size = 5000 });
        Assert.Equal(5000, t.ReadAll(f.Ino).Length);
        t.Fs.SetAttributes(f.Ino, new SetAttributes { Size = 20_000 });
        var back = t.ReadAll(f.Ino);
        Assert.All(back.AsSpan(0, 5000).ToArray(), b => Assert.Equal(0x55, b));
        Assert.All(back.AsSpan(5000).ToArray(), b => Assert.Equal(0, b));
        Assert.Equal(t.Kv.Count(BtreeId.Extents), t.Data.LivePointers);
        t.Fs.SetAttributes(f.Ino, new SetAttributes { Size = 0 });
        Assert.Equal(0, t.Data.LivePointers);
        Assert.Equal(0ul, t.Fs.GetAttributes(f.Ino).AllocatedBytes);
    }

    [Fact]
    public void PunchHoleKeepsSize()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        t.Fs.Write(f.Ino, 0, Enumerable.Repeat((byte)1, 50_000).ToArray());
        t.Fs.PunchHole(f.Ino, 10_000, 20_000);
        var back = t.ReadAll(f.Ino);
        Assert.Equal(50_000, back.Length);
        Assert.All(back.AsSpan(10_000, 20_000).ToArray(), b => Assert.Equal(0, b));
        Assert.All(back.AsSpan(30_000).ToArray(), b => Assert.Equal(1, b));
    }

    [Fact]
    public void DirectoriesAndLinksRefuseData()
    {
        var t = new PosixTestFilesystem();
        var d = t.Mkdir(Root, "d");
        var l = t.Fs.CreateSymlink(Root, N("l"), N("d"), 0, 0);
        Assert.Equal(Errno.EISDIR, ErrnoOf(() => t.Fs.Write(d.Ino, 0, "x"u8)));
        Assert.Equal(Errno.EISDIR, ErrnoOf(() => t.Fs.Read(d.Ino, 0, new byte[1])));
        Assert.Equal(Errno.EINVAL, ErrnoOf(() => t.Fs.Write(l.Ino, 0, "x"u8)));
        Assert.Equal(Errno.EISDIR, ErrnoOf(() => t.Fs.SetAttributes(d.Ino, new SetAttributes { Size = 1 })));
        var f = t.CreateFile(Root, "f");
        Assert.Equal(Errno.EFBIG, ErrnoOf(() => t.Fs.Write(f.Ino, PosixFilesystem.MaxFileSize, "x"u8)));
        Assert.Equal(Errno.EINVAL, ErrnoOf(() => t.Fs.Write(f.Ino, -1, "x"u8)));
    }

    [Fact]
    public void FullDataStoreIsEnospcAndLeaksNothing()
    {
        var t = new PosixTestFilesystem(capacity: 256 * 1024);
        var f = t.CreateFile(Root, "f");
        t.Fs.Write(f.Ino, 0, new byte[200 * 1024]);
        int live = t.Data.LivePointers;
        Assert.Equal(Errno.ENOSPC, ErrnoOf(() => t.Fs.Write(f.Ino, 200 * 1024, new byte[200 * 1024])));
        Assert.Equal(live, t.Data.LivePointers);
        Assert.Equal(200ul * 1024, t.Fs.GetAttributes(f.Ino).Size);
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(2, 512)]
    [InlineData(3, 65536)]
    public void RandomOperationsMatchAModel(int seed, int blockSize)
    {
        // A small in-process fsx: random writes, truncates and punches against a byte-array model.
        var t = new PosixTestFilesystem(new PosixOptions { MaxExtentBytes = Math.Max(blockSize, 16384) }, blockSize);
        var f = t.CreateFile(Root, "f");
        var rng = new Random(seed);
        var model = new List<byte>();
        const int maxSize = 300_000;
        for (int op = 0; op < 400; op++)
        {
            switch (rng.Next(10))
            {
                case < 5:
                    {
                        int off = rng.Next(maxSize - 70_000);
                        var data = new byte[rng.Next(1, 70_000)];
                        rng.NextBytes(data);
                        t.Fs.Write(f.Ino, off, data);
                        while (model.Count < off + data.Length)
                        {
                            model.Add(0);
                        }

                        for (int i = 0; i < data.Length; i++)
                        {
                            model[off + i] = data[i];
                        }

                        break;
                    }

                case < 7:
                    {
                        int size = rng.Next(maxSize);
                        t.Fs.SetAttributes(f.Ino, new SetAttributes { Size = (ulong)size });
                        if (size < model.Count)
                        {
                            model.RemoveRange(size, model.Count - size);
                        }

                        while (model.Count < size)
                        {
                            model.Add(0);
                        }

                        break;
                    }

                case 7:
                    {
                        int off = rng.Next(maxSize), len = rng.Next(1, 50_000);
                        t.Fs.PunchHole(f.Ino, off, len);
                        for (int i = off; i < Math.Min(model.Count, off + len); i++)
                        {
                            model[i] = 0;
                        }

                        break;
                    }

                default:
                    {
                        int off = rng.Next(maxSize), len = rng.Next(1, 100_000);
                        var buffer = new byte[len];
                        int n = t.Fs.Read(f.Ino, off, buffer);
                        int expected = Math.Max(0, Math.Min(len, model.Count - off));
                        Assert.Equal(expected, n);
                        for (int i = 0; i < n; i++)
                        {
                            if (buffer[i] != model[off + i])
                            {
                                Assert.Fail($"seed {seed} op {op}: byte {off + i} is {buffer[i]}, model {model[off + i]}");
                            }
                        }

                        break;
                    }
            }

            Assert.Equal((ulong)model.Count, t.Fs.GetAttributes(f.Ino).Size);
        }

        Assert.Equal(model.ToArray(), t.ReadAll(f.Ino));
        Assert.Empty(PosixConsistency.Check(t.Kv));
        Assert.Equal(t.Kv.Count(BtreeId.Extents), t.Data.LivePointers);
        t.Fs.Unlink(Root, N("f"));
        Assert.Equal(0, t.Data.LivePointers);
        Assert.Equal(0, t.Kv.Count(BtreeId.Extents));
    }
}

public class ExtentSplitTests
{
    [Theory]
    [InlineData(4096)] // small head: the head is copied, the tail keeps the pointer
    [InlineData(57344)] // small tail: the tail is copied
    public void OverwriteInsideAnExtentCopiesOnlyTheSmallerSide(int patchAt)
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(PosixTestFilesystem.Root, "f");
        var model = new byte[65536];
        new Random(patchAt).NextBytes(model);
        t.Fs.Write(f.Ino, 0, model);
        long before = t.Data.FreeBytes;
        var patch = new byte[4096];
        new Random(1).NextBytes(patch);
        t.Fs.Write(f.Ino, patchAt, patch);
        patch.CopyTo(model, patchAt);
        Assert.Equal(model, t.ReadAll(f.Ino));
        // New space: the patch block and the smaller side (4 KiB), not the 56 KiB larger side.
        Assert.Equal(8192, before - t.Data.FreeBytes);
        Assert.Empty(PosixConsistency.Check(t.Kv));
    }
}
