using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

using static Primitives.Filesystem.Tests.Posix.PosixTestFilesystem;

namespace Primitives.Filesystem.Tests.Posix;

public class ConcurrencyTests
{
    [Fact]
    public void ConcurrentNamespaceAndDataOperationsKeepTheInvariants()
    {
        // Four threads create, write, link, rename (across two directories, over each other) and
        // remove a small set of names, so they collide on inodes and directories all the time. Only
        // the errors a racing namespace can legitimately produce are allowed; afterwards the
        // btrees must be consistent and hold exactly the data they reference.
        var t = new PosixTestFilesystem(new PosixOptions { LockStripes = 8 });
        ulong[] dirs = [t.Mkdir(Root, "a").Ino, t.Mkdir(Root, "b").Ino];
        var allowed = new HashSet<Errno> { Errno.ENOENT, Errno.EEXIST, Errno.ENOTEMPTY, Errno.EISDIR, Errno.ENOTDIR, Errno.EINVAL, Errno.EPERM };
        var errors = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 4).Select(id => new Thread(() =>
        {
            var rng = new Random(id);
            for (int i = 0; i < 1500; i++)
            {
                ulong dir = dirs[rng.Next(2)], other = dirs[rng.Next(2)];
                byte[] name = N($"n{rng.Next(6)}"), name2 = N($"n{rng.Next(6)}");
                try
                {
                    switch (rng.Next(9))
                    {
                        case 0: t.Fs.CreateNode(dir, name, FileTypeBits.Regular | 0x1A4, 0, 0, 0); break;
                        case 1: t.Fs.MakeDirectory(dir, name, 0x1ED, 0, 0); break;
                        case 2: t.Fs.Unlink(dir, name); break;
                        case 3: t.Fs.RemoveDirectory(dir, name); break;
                        case 4: t.Fs.Rename(dir, name, other, name2); break;
                        case 5: t.Fs.Rename(dir, name, other, name2, RenameFlags.Exchange); break;
                        case 6: t.Fs.Link(t.Fs.Lookup(dir, name).Ino, other, name2); break;
                        default:
                            {
                                var inode = t.Fs.Lookup(dir, name);
                                if (inode.IsRegular)
                                {
                                    t.Fs.Write(inode.Ino, rng.Next(100_000), new byte[rng.Next(1, 20_000)]);
                                }

                                break;
                            }
                    }
                }
                catch (PosixException e) when (allowed.Contains(e.Errno))
                {
                    // A name raced away, a directory was not empty, or a hard link to a directory was refused.
                }
                catch (Exception e)
                {
                    errors.Add($"thread {id} op {i}: {e}");
                }
            }
        })).ToList();
        threads.ForEach(th => th.Start());
        threads.ForEach(th => th.Join());
        Assert.Empty(errors);
        Assert.Empty(PosixConsistency.Check(t.Kv));
        Assert.Equal(t.Kv.Count(BtreeId.Extents), t.Data.LivePointers);
    }

    [Fact]
    public void ConsistencyCheckFindsABrokenLinkCount()
    {
        // The checker itself must be able to fail: corrupt one nlink behind the layer's back.
        var t = new PosixTestFilesystem();
        var f = t.CreateFile(Root, "f");
        Assert.Empty(PosixConsistency.Check(t.Kv));
        using (var txn = t.Kv.Begin())
        {
            var inode = t.Fs.GetAttributes(f.Ino);
            inode.Nlink = 5;
            txn.Set(BtreeId.Inodes, Inode.Key(f.Ino), inode.Encode());
            txn.Commit();
        }

        Assert.Contains(PosixConsistency.Check(t.Kv), e => e.Contains("nlink 5", StringComparison.Ordinal));
    }
}
