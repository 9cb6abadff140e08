using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

using static Primitives.Filesystem.Tests.Posix.PosixTestFilesystem;

namespace Primitives.Filesystem.Tests.Posix;

public class NamespaceTests
{
    [Fact]
    public void FreshFilesystemHasAnEmptyRootDirectory()
    {
        var t = new PosixTestFilesystem();
        var root = t.Fs.GetAttributes(Root);
        Assert.True(root.IsDirectory);
        Assert.Equal(2u, root.Nlink);
        Assert.Equal([".", ".."], t.List(Root));
    }

    [Fact]
    public void CreateLookupAndReaddir()
    {
        var t = new PosixTestFilesystem();
        var a = t.CreateFile(Root, "a");
        var d = t.Mkdir(Root, "d");
        var b = t.CreateFile(d.Ino, "b");
        Assert.Equal(a.Ino, t.Lookup(Root, "a").Ino);
        Assert.Equal(b.Ino, t.Lookup(d.Ino, "b").Ino);
        Assert.Equal(d.Ino, t.Lookup(d.Ino, ".").Ino);
        Assert.Equal(Root, t.Lookup(d.Ino, "..").Ino);
        Assert.Equal(3u, t.Fs.GetAttributes(Root).Nlink);
        Assert.Equal(new[] { ".", "..", "a", "d" }.Order(), t.List(Root).Order());
        Assert.Equal(Errno.EEXIST, ErrnoOf(() => t.CreateFile(Root, "a")));
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Lookup(Root, "nope")));
        Assert.Equal(Errno.ENOTDIR, ErrnoOf(() => t.Lookup(a.Ino, "x")));
        Assert.Equal(Errno.ENAMETOOLONG, ErrnoOf(() => t.CreateFile(Root, new string('x', 256))));
        Assert.Equal(Errno.EINVAL, ErrnoOf(() => t.Fs.CreateNode(Root, N("a/b"), FileTypeBits.Regular, 0, 0, 0)));
    }

    [Fact]
    public void ForcedHashCollisionsProbeAndStayFindable()
    {
        // Every name hashes to one slot: entries take consecutive slots and lookups scan them.
        var t = new PosixTestFilesystem(new PosixOptions { NameHash = _ => 12345 });
        var inos = new Dictionary<string, ulong>();
        for (int i = 0; i < 20; i++)
        {
            inos[$"f{i}"] = t.CreateFile(Root, $"f{i}").Ino;
        }

        foreach (var (name, ino) in inos)
        {
            Assert.Equal(ino, t.Lookup(Root, name).Ino);
        }

        // Removing names in the middle of the probe run leaves the others findable (no tombstones needed).
        t.Fs.Unlink(Root, N("f3"));
        t.Fs.Unlink(Root, N("f10"));
        Assert.Equal(inos["f11"], t.Lookup(Root, "f11").Ino);
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Lookup(Root, "f3")));
        // A new name reuses the first free slot.
        var again = t.CreateFile(Root, "g");
        Assert.Equal(again.Ino, t.Lookup(Root, "g").Ino);
        Assert.Equal(19, t.List(Root, chunk: 3).Count - 2); // 20 made, 2 removed, 1 added
        Assert.Equal(Errno.EEXIST, ErrnoOf(() => t.CreateFile(Root, "f19")));
    }

    [Fact]
    public void CollisionWindowFullIsEnospc()
    {
        var t = new PosixTestFilesystem(new PosixOptions { NameHash = _ => 99 });
        for (int i = 0; i < NameHash.ProbeWindow; i++)
        {
            t.CreateFile(Root, $"n{i}");
        }

        Assert.Equal(Errno.ENOSPC, ErrnoOf(() => t.CreateFile(Root, "one-too-many")));
    }

    [Fact]
    public void ReaddirOffsetsAreStableAcrossConcurrentChanges()
    {
        var t = new PosixTestFilesystem();
        for (int i = 0; i < 50; i++)
        {
            t.CreateFile(Root, $"e{i}");
        }

        var first = t.Fs.ReadDirectory(Root, 0, 10);
        Assert.Equal(10, first.Count);
        // Delete one entry already returned and one not yet returned, add new ones: the rest of the
        // listing neither repeats nor skips the entries that stayed.
        string seen = System.Text.Encoding.UTF8.GetString(first[5].Name);
        t.Fs.Unlink(Root, N(seen));
        var rest = new List<string>();
        long offset = first[^1].NextOffset;
        while (true)
        {
            var page = t.Fs.ReadDirectory(Root, offset, 7);
            if (page.Count == 0)
            {
                break;
            }

            rest.AddRange(page.Select(e => System.Text.Encoding.UTF8.GetString(e.Name)));
            offset = page[^1].NextOffset;
        }

        var firstNames = first.Select(e => System.Text.Encoding.UTF8.GetString(e.Name)).ToList();
        Assert.Empty(firstNames.Intersect(rest));
        Assert.Equal(52, firstNames.Count + rest.Count);
    }

    [Fact]
    public void HardLinksCountNames()
    {
        var t = new PosixTestFilesystem();
        var a = t.CreateFile(Root, "a");
        t.Fs.Write(a.Ino, 0, "hello"u8);
        var d = t.Mkdir(Root, "d");
        Assert.Equal(2u, t.Fs.Link(a.Ino, d.Ino, N("b")).Nlink);
        Assert.Equal(a.Ino, t.Lookup(d.Ino, "b").Ino);
        t.Fs.Unlink(Root, N("a"));
        Assert.Equal(1u, t.Fs.GetAttributes(a.Ino).Nlink);
        Assert.Equal("hello"u8.ToArray(), t.ReadAll(a.Ino));
        t.Fs.Unlink(d.Ino, N("b"));
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.GetAttributes(a.Ino)));
        Assert.Equal(0, t.Data.LivePointers);
        Assert.Equal(Errno.EPERM, ErrnoOf(() => t.Fs.Link(d.Ino, Root, N("dirlink"))));
    }

    [Fact]
    public void UnlinkedOpenFileLivesUntilRelease()
    {
        var t = new PosixTestFilesystem();
        var a = t.Fs.CreateNode(Root, N("a"), FileTypeBits.Regular | 0x1A4, 0, 0, 0, open: true);
        t.Fs.Write(a.Ino, 0, new byte[100_000]);
        t.Fs.Unlink(Root, N("a"));
        Assert.Equal(0u, t.Fs.GetAttributes(a.Ino).Nlink);
        Assert.Equal(100_000, t.ReadAll(a.Ino).Length);
        Assert.NotEqual(0, t.Data.LivePointers);
        t.Fs.ReleaseFile(a.Ino);
        Assert.Equal(0, t.Data.LivePointers);
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.GetAttributes(a.Ino)));
        Assert.Equal(Errno.EBADF, ErrnoOf(() => t.Fs.ReleaseFile(a.Ino)));
    }

    [Fact]
    public void OrphanLeftByACrashIsFreedAtTheNextOpen()
    {
        var t = new PosixTestFilesystem();
        var a = t.Fs.CreateNode(Root, N("a"), FileTypeBits.Regular, 0, 0, 0, open: true);
        t.Fs.Write(a.Ino, 0, new byte[10_000]);
        t.Fs.Unlink(Root, N("a"));
        // The "crash": the handle is never released; a new mount sees an inode with no link.
        t.Remount();
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.GetAttributes(a.Ino)));
        Assert.Equal(0, t.Data.LivePointers);
        Assert.Equal(0, t.Kv.Count(BtreeId.Extents));
    }

    [Fact]
    public void RmdirRefusesNonEmptyAndFixesLinkCounts()
    {
        var t = new PosixTestFilesystem();
        var d = t.Mkdir(Root, "d");
        t.CreateFile(d.Ino, "f");
        Assert.Equal(Errno.ENOTEMPTY, ErrnoOf(() => t.Fs.RemoveDirectory(Root, N("d"))));
        Assert.Equal(Errno.EISDIR, ErrnoOf(() => t.Fs.Unlink(Root, N("d"))));
        Assert.Equal(Errno.ENOTDIR, ErrnoOf(() => t.Fs.RemoveDirectory(d.Ino, N("f"))));
        t.Fs.Unlink(d.Ino, N("f"));
        t.Fs.RemoveDirectory(Root, N("d"));
        Assert.Equal(2u, t.Fs.GetAttributes(Root).Nlink);
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.GetAttributes(d.Ino)));
        Assert.Equal(1, t.Kv.Count(BtreeId.Inodes) - 1); // the root and the allocator record
    }

    [Fact]
    public void SymlinksKeepTheirTarget()
    {
        var t = new PosixTestFilesystem();
        var l = t.Fs.CreateSymlink(Root, N("l"), N("../some/where"), 0, 0);
        Assert.True(FileTypeBits.IsSymlink(t.Lookup(Root, "l").Mode));
        Assert.Equal(N("../some/where"), t.Fs.ReadLink(l.Ino));
        Assert.Equal(13ul, l.Size);
        var f = t.CreateFile(Root, "f");
        Assert.Equal(Errno.EINVAL, ErrnoOf(() => t.Fs.ReadLink(f.Ino)));
        Assert.Equal(Errno.ENAMETOOLONG, ErrnoOf(() => t.Fs.CreateSymlink(Root, N("long"), new byte[Inode.MaxSymlinkTarget + 1], 0, 0)));
        var longest = t.Fs.CreateSymlink(Root, N("longest"), Enumerable.Repeat((byte)'x', Inode.MaxSymlinkTarget).ToArray(), 0, 0);
        Assert.Equal(Inode.MaxSymlinkTarget, t.Fs.ReadLink(longest.Ino).Length);
    }

    [Fact]
    public void ChmodChownAndTimesAreStored()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        var changed = t.Fs.SetAttributes(f.Ino, new SetAttributes { Mode = 0x1C0, Uid = 7, Gid = 8, AtimeNs = 1_000_000_001, MtimeNs = 2_000_000_002 });
        var again = t.Fs.GetAttributes(f.Ino);
        Assert.Equal(FileTypeBits.Regular | 0x1C0, again.Mode);
        Assert.Equal((7u, 8u), (again.Uid, again.Gid));
        Assert.Equal(1_000_000_001, again.AtimeNs);
        Assert.Equal(2_000_000_002, again.MtimeNs);
        Assert.Equal(changed.CtimeNs, again.CtimeNs);
        Assert.True(again.CtimeNs >= f.CtimeNs);
    }

    [Fact]
    public void StatfsReportsTheDataStoreSpace()
    {
        var t = new PosixTestFilesystem(capacity: 64L << 20);
        var before = t.Fs.StatFs();
        Assert.Equal(4096, before.BlockSize);
        Assert.Equal(16384, before.TotalBlocks);
        Assert.Equal(16384, before.FreeBlocks);
        var f = t.CreateFile(Root, "f");
        t.Fs.Write(f.Ino, 0, new byte[1 << 20]);
        Assert.Equal(16384 - 256, t.Fs.StatFs().FreeBlocks);
        Assert.Equal(255, before.MaxNameLength);
    }

    [Fact]
    public void FsyncFlushesTheStore()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        t.Fs.Write(f.Ino, 0, "x"u8);
        Assert.True(t.Kv.FlushedSeq < t.Kv.CommittedSeq);
        t.Fs.Sync();
        Assert.Equal(t.Kv.CommittedSeq, t.Kv.FlushedSeq);
    }
}
