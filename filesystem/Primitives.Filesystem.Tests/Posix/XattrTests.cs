using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

using static Primitives.Filesystem.Tests.Posix.PosixTestFilesystem;

namespace Primitives.Filesystem.Tests.Posix;

public class XattrTests
{
    [Fact]
    public void SetGetListRemove()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        t.Fs.SetXattr(f.Ino, N("user.a"), N("one"));
        t.Fs.SetXattr(f.Ino, N("user.b"), []);
        Assert.Equal(N("one"), t.Fs.GetXattr(f.Ino, N("user.a")));
        Assert.Empty(t.Fs.GetXattr(f.Ino, N("user.b")));
        Assert.Equal(new[] { "user.a", "user.b" }, t.Fs.ListXattrs(f.Ino).Select(System.Text.Encoding.UTF8.GetString).Order().ToArray());
        t.Fs.SetXattr(f.Ino, N("user.a"), N("two"), XattrFlags.Replace);
        Assert.Equal(N("two"), t.Fs.GetXattr(f.Ino, N("user.a")));
        Assert.Equal(Errno.EEXIST, ErrnoOf(() => t.Fs.SetXattr(f.Ino, N("user.a"), N("x"), XattrFlags.Create)));
        Assert.Equal(Errno.ENODATA, ErrnoOf(() => t.Fs.SetXattr(f.Ino, N("user.c"), N("x"), XattrFlags.Replace)));
        t.Fs.RemoveXattr(f.Ino, N("user.a"));
        Assert.Equal(Errno.ENODATA, ErrnoOf(() => t.Fs.GetXattr(f.Ino, N("user.a"))));
        Assert.Equal(Errno.ENODATA, ErrnoOf(() => t.Fs.RemoveXattr(f.Ino, N("user.a"))));
        Assert.Equal(Errno.E2BIG, ErrnoOf(() => t.Fs.SetXattr(f.Ino, N("user.big"), new byte[Xattr.MaxValue])));
    }

    [Fact]
    public void CollidingNamesAndDeletionWithTheFile()
    {
        var t = new PosixTestFilesystem(new PosixOptions { NameHash = _ => 5 });
        var f = t.CreateFile(Root, "f");
        for (int i = 0; i < 10; i++)
        {
            t.Fs.SetXattr(f.Ino, N($"user.{i}"), N($"v{i}"));
        }

        t.Fs.RemoveXattr(f.Ino, N("user.4"));
        for (int i = 0; i < 10; i++)
        {
            if (i != 4)
            {
                Assert.Equal(N($"v{i}"), t.Fs.GetXattr(f.Ino, N($"user.{i}")));
            }
        }

        t.Fs.Unlink(Root, N("f"));
        Assert.Equal(0, t.Kv.Count(BtreeId.Xattrs));
    }
}

public class PosixKeysTests
{
    [Fact]
    public void ReadersAgreeWithTheCodecs()
    {
        var inode = new Inode { Ino = 9, Mode = FileTypeBits.Regular | 0x1A4, Nlink = 3, Size = 12345, SymlinkTarget = [1, 2] };
        byte[] v = inode.Encode();
        Assert.True(PosixKeys.TryReadInodeLinkCount(v, out uint nlink));
        Assert.Equal(3u, nlink);
        Assert.True(PosixKeys.TryReadInodeMode(v, out uint mode));
        Assert.Equal(inode.Mode, mode);
        Assert.True(PosixKeys.TryReadInodeSize(v, out ulong size));
        Assert.Equal(12345ul, size);
        Assert.False(PosixKeys.TryReadInodeLinkCount(v.AsSpan(0, 50), out _));
        byte[] d = new Dirent(77, 8, "name"u8.ToArray()).Encode();
        Assert.True(PosixKeys.TryReadDirentTarget(d, out ulong target));
        Assert.Equal(77ul, target);
        Assert.False(PosixKeys.TryReadDirentTarget(d.AsSpan(0, 12), out _));
        var e = new Extent(new Primitives.Filesystem.Data.DataPointer(5, 6, 4096, 8192), 100, 200).Encode();
        Assert.True(PosixKeys.IsExtent(e));
        // The first 20 bytes are the engine's DataPointer layout: bucket u64, generation u32, offset u32, length u32.
        Assert.Equal(5ul, System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(e));
        Assert.Equal(6u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(e.AsSpan(8)));
        Assert.Equal(4096u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(e.AsSpan(12)));
        Assert.Equal(8192u, System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(e.AsSpan(16)));
    }
}
