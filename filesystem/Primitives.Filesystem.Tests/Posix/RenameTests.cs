using Primitives.Filesystem.Posix;

using static Primitives.Filesystem.Tests.Posix.PosixTestFilesystem;

namespace Primitives.Filesystem.Tests.Posix;

public class RenameTests
{
    [Fact]
    public void RenameWithinADirectory()
    {
        var t = new PosixTestFilesystem();
        var a = t.CreateFile(Root, "a");
        t.Fs.Rename(Root, N("a"), Root, N("b"));
        Assert.Equal(a.Ino, t.Lookup(Root, "b").Ino);
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Lookup(Root, "a")));
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.Rename(Root, N("a"), Root, N("c"))));
    }

    [Fact]
    public void RenameOverAFileReplacesAndFreesIt()
    {
        var t = new PosixTestFilesystem();
        var a = t.CreateFile(Root, "a");
        var b = t.CreateFile(Root, "b");
        t.Fs.Write(b.Ino, 0, new byte[8192]);
        t.Fs.Write(a.Ino, 0, "new"u8);
        t.Fs.Rename(Root, N("a"), Root, N("b"));
        Assert.Equal(a.Ino, t.Lookup(Root, "b").Ino);
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.GetAttributes(b.Ino)));
        Assert.Equal(1, t.Data.LivePointers);
        Assert.Equal([".", "..", "b"], t.List(Root).Order().ToList());
    }

    [Fact]
    public void RenameAcrossDirectoriesMovesDirectoryLinks()
    {
        var t = new PosixTestFilesystem();
        var d1 = t.Mkdir(Root, "d1");
        var d2 = t.Mkdir(Root, "d2");
        var sub = t.Mkdir(d1.Ino, "sub");
        t.CreateFile(sub.Ino, "f");
        t.Fs.Rename(d1.Ino, N("sub"), d2.Ino, N("moved"));
        Assert.Equal(sub.Ino, t.Lookup(d2.Ino, "moved").Ino);
        Assert.Equal(d2.Ino, t.Lookup(sub.Ino, "..").Ino);
        Assert.Equal(2u, t.Fs.GetAttributes(d1.Ino).Nlink);
        Assert.Equal(3u, t.Fs.GetAttributes(d2.Ino).Nlink);
        Assert.NotNull(t.Lookup(sub.Ino, "f"));
        Assert.Empty(PosixConsistency.Check(t.Kv));
    }

    [Fact]
    public void RenameDirectoryOverEmptyDirectoryReplacesIt()
    {
        var t = new PosixTestFilesystem();
        var src = t.Mkdir(Root, "src");
        var d = t.Mkdir(Root, "d");
        var empty = t.Mkdir(d.Ino, "empty");
        t.Fs.Rename(Root, N("src"), d.Ino, N("empty"));
        Assert.Equal(src.Ino, t.Lookup(d.Ino, "empty").Ino);
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.GetAttributes(empty.Ino)));
        Assert.Equal(3u, t.Fs.GetAttributes(Root).Nlink); // root: ., .. of root, d (src moved out)
        Assert.Equal(3u, t.Fs.GetAttributes(d.Ino).Nlink);
        Assert.Empty(PosixConsistency.Check(t.Kv));
    }

    [Fact]
    public void RenameRefusals()
    {
        var t = new PosixTestFilesystem();
        var d = t.Mkdir(Root, "d");
        var full = t.Mkdir(Root, "full");
        t.CreateFile(full.Ino, "x");
        t.CreateFile(Root, "f");
        var sub = t.Mkdir(d.Ino, "sub");
        Assert.Equal(Errno.ENOTEMPTY, ErrnoOf(() => t.Fs.Rename(Root, N("d"), Root, N("full"))));
        Assert.Equal(Errno.ENOTDIR, ErrnoOf(() => t.Fs.Rename(Root, N("d"), Root, N("f"))));
        Assert.Equal(Errno.EISDIR, ErrnoOf(() => t.Fs.Rename(Root, N("f"), Root, N("d"))));
        Assert.Equal(Errno.EINVAL, ErrnoOf(() => t.Fs.Rename(Root, N("d"), sub.Ino, N("loop"))));
        Assert.Equal(Errno.EINVAL, ErrnoOf(() => t.Fs.Rename(Root, N("d"), d.Ino, N("self"))));
        Assert.Equal(Errno.EEXIST, ErrnoOf(() => t.Fs.Rename(Root, N("f"), full.Ino, N("x"), RenameFlags.NoReplace)));
        Assert.Equal(Errno.ENOENT, ErrnoOf(() => t.Fs.Rename(Root, N("f"), full.Ino, N("none"), RenameFlags.Exchange)));
        // Nothing moved.
        Assert.Equal(new[] { ".", "..", "d", "f", "full" }, t.List(Root).Order().ToArray());
        Assert.Empty(PosixConsistency.Check(t.Kv));
    }

    [Fact]
    public void RenameNoReplaceMovesToAFreeName()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        t.Fs.Rename(Root, N("f"), Root, N("g"), RenameFlags.NoReplace);
        Assert.Equal(f.Ino, t.Lookup(Root, "g").Ino);
    }

    [Fact]
    public void RenameExchangeSwapsAFileAndADirectoryAcrossDirectories()
    {
        var t = new PosixTestFilesystem();
        var d1 = t.Mkdir(Root, "d1");
        var d2 = t.Mkdir(Root, "d2");
        var f = t.CreateFile(d1.Ino, "a");
        var dir = t.Mkdir(d2.Ino, "b");
        t.Fs.Rename(d1.Ino, N("a"), d2.Ino, N("b"), RenameFlags.Exchange);
        Assert.Equal(dir.Ino, t.Lookup(d1.Ino, "a").Ino);
        Assert.Equal(f.Ino, t.Lookup(d2.Ino, "b").Ino);
        Assert.Equal(d1.Ino, t.Lookup(dir.Ino, "..").Ino);
        Assert.Equal(3u, t.Fs.GetAttributes(d1.Ino).Nlink);
        Assert.Equal(2u, t.Fs.GetAttributes(d2.Ino).Nlink);
        var entry = t.Fs.ReadDirectory(d1.Ino, 0, 10).Single(e => e.Name.SequenceEqual(N("a")));
        Assert.Equal(FileTypeBits.DirentType(FileTypeBits.Directory), entry.Type);
        Assert.Empty(PosixConsistency.Check(t.Kv));
    }

    [Fact]
    public void RenameOfOneFileOverAnotherLinkOfItDoesNothing()
    {
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "a");
        t.Fs.Link(f.Ino, Root, N("b"));
        t.Fs.Rename(Root, N("a"), Root, N("b"));
        Assert.Equal(2u, t.Fs.GetAttributes(f.Ino).Nlink);
        Assert.Equal(f.Ino, t.Lookup(Root, "a").Ino);
        Assert.Equal(f.Ino, t.Lookup(Root, "b").Ino);
    }

    [Fact]
    public void RenameWithCollidingNames()
    {
        var t = new PosixTestFilesystem(new PosixOptions { NameHash = _ => 777 });
        var a = t.CreateFile(Root, "a");
        t.CreateFile(Root, "b");
        t.CreateFile(Root, "c");
        t.Fs.Rename(Root, N("a"), Root, N("c"));
        Assert.Equal(a.Ino, t.Lookup(Root, "c").Ino);
        Assert.Equal(new[] { ".", "..", "b", "c" }, t.List(Root).Order().ToArray());
        Assert.Empty(PosixConsistency.Check(t.Kv));
    }
}
