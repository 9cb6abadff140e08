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
