using System.Runtime.InteropServices;
using System.Text;

using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Tests.Fuse;

public partial class FuseMountTests
{
    [Fact]
    public void FileOperationsThroughTheKernel()
    {
        using var m = new MountFixture();
        Assert.True(m.IsMounted());
        m.RunBounded(() =>
        {
            string p = m.Path;
            // Files: create, write, read back, append, truncate.
            var data = new byte[300_000];
            new Random(7).NextBytes(data);
            File.WriteAllBytes(Path.Combine(p, "a.bin"), data);
            Assert.Equal(data, File.ReadAllBytes(Path.Combine(p, "a.bin")));
            using (var fs = new FileStream(Path.Combine(p, "a.bin"), FileMode.Open, FileAccess.ReadWrite))
            {
                fs.SetLength(1000);
                fs.Seek(5000, SeekOrigin.Begin);
                fs.Write("tail"u8);
                fs.Flush(flushToDisk: true);
            }

            byte[] back = File.ReadAllBytes(Path.Combine(p, "a.bin"));
            Assert.Equal(5004, back.Length);
            Assert.Equal(data.AsSpan(0, 1000).ToArray(), back.AsSpan(0, 1000).ToArray());
            Assert.All(back.AsSpan(1000, 4000).ToArray(), b => Assert.Equal(0, b));

            // Directories, rename (also over an existing file), listing.
            Directory.CreateDirectory(Path.Combine(p, "d/e"));
            File.WriteAllText(Path.Combine(p, "d/e/x.txt"), "x");
            File.WriteAllText(Path.Combine(p, "d/y.txt"), "y");
            File.Move(Path.Combine(p, "d/e/x.txt"), Path.Combine(p, "d/y.txt"), overwrite: true);
            Assert.Equal("x", File.ReadAllText(Path.Combine(p, "d/y.txt")));
            Directory.Move(Path.Combine(p, "d/e"), Path.Combine(p, "e2"));
            Assert.Equal(new[] { "a.bin", "d", "e2" }, Directory.EnumerateFileSystemEntries(p).Select(Path.GetFileName).Order().ToArray());
            Assert.Throws<IOException>(() => Directory.Delete(Path.Combine(p, "d")));
            Assert.Throws<FileNotFoundException>(() => File.ReadAllBytes(Path.Combine(p, "nope")));

            // Links.
            File.CreateSymbolicLink(Path.Combine(p, "link"), "d/y.txt");
            Assert.Equal("d/y.txt", new FileInfo(Path.Combine(p, "link")).LinkTarget);
            Assert.Equal("x", File.ReadAllText(Path.Combine(p, "link")));
            Assert.Equal(0, HardLink(Path.Combine(p, "d/y.txt"), Path.Combine(p, "hard")));
            File.Delete(Path.Combine(p, "d/y.txt"));
            Assert.Equal("x", File.ReadAllText(Path.Combine(p, "hard")));

            // Xattrs.
            Assert.Equal(0, SetXattr(Path.Combine(p, "hard"), "user.k", "val"u8.ToArray(), 3, 0));
            var value = new byte[16];
            Assert.Equal(3, (int)GetXattr(Path.Combine(p, "hard"), "user.k", value, 16));
            Assert.Equal("val", Encoding.UTF8.GetString(value, 0, 3));

            // statfs and deletes.
            var drive = new DriveInfo(p);
            Assert.Equal(256L << 20, drive.TotalSize);
            File.Delete(Path.Combine(p, "a.bin"));
            File.Delete(Path.Combine(p, "hard"));
            File.Delete(Path.Combine(p, "link"));
            Directory.Delete(Path.Combine(p, "d"));
            Directory.Delete(Path.Combine(p, "e2"));
            Assert.Empty(Directory.EnumerateFileSystemEntries(p));
        });

        Assert.Equal(0, m.Mount.UnexpectedErrors);
        m.Mount.Dispose();
        Assert.False(m.IsMounted());
        // Every file was deleted and released by the kernel: no data and no extent is left.
        Assert.Equal(0, m.Data.LivePointers);
        Assert.Equal(0, m.Kv.Count(BtreeId.Extents));
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int HardLink(string oldPath, string newPath);

    [LibraryImport("libc", EntryPoint = "setxattr", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetXattr(string path, string name, byte[] value, nuint size, int flags);

    [LibraryImport("libc", EntryPoint = "getxattr", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetXattr(string path, string name, byte[] value, nuint size);
}
