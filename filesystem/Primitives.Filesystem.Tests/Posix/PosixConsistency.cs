using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Tests.Posix;

/// <summary>
/// Checks the POSIX invariants over the raw btrees (a small fsck for tests): every dirent names an
/// inode; a non-directory's nlink is the number of names; a directory's nlink is 2 + its
/// subdirectories, it has one name and its parent pointer is that name's directory; every extent
/// and xattr belongs to an inode; extents do not overlap and stay within the file size; the
/// allocated bytes match the extents.
/// </summary>
internal static class PosixConsistency
{
    public static List<string> Check(IKeyValueStore kv)
    {
        var errors = new List<string>();
        using var txn = kv.Begin();
        var inodes = txn.Range(BtreeId.Inodes, Inode.Key(1), Inode.Key(ulong.MaxValue))
            .ToDictionary(e => e.Key.Offset, e => Inode.Decode(e.Key.Offset, e.Value.Span));
        var names = new Dictionary<ulong, int>();
        var subdirs = new Dictionary<ulong, int>();
        var parentOf = new Dictionary<ulong, ulong>();
        foreach (var (key, value) in txn.Range(BtreeId.Dirents, Bpos.Min, Bpos.Max))
        {
            var d = Dirent.Decode(value.Span);
            if (!inodes.TryGetValue(key.Inode, out var dir) || !dir.IsDirectory)
            {
                errors.Add($"dirent {key} in non-directory {key.Inode}");
            }

            if (!inodes.TryGetValue(d.Ino, out var target))
            {
                errors.Add($"dirent {key} names missing inode {d.Ino}");
                continue;
            }

            if (d.Type != FileTypeBits.DirentType(target.Mode))
            {
                errors.Add($"dirent {key} type {d.Type} but inode {d.Ino} mode {target.Mode:x}");
            }

            names[d.Ino] = names.GetValueOrDefault(d.Ino) + 1;
            if (target.IsDirectory)
            {
                subdirs[key.Inode] = subdirs.GetValueOrDefault(key.Inode) + 1;
                parentOf[d.Ino] = key.Inode;
            }
        }

        foreach (var (ino, inode) in inodes)
        {
            if (inode.IsDirectory)
            {
                uint want = 2u + (uint)subdirs.GetValueOrDefault(ino);
                if (inode.Nlink != want)
                {
                    errors.Add($"directory {ino} nlink {inode.Nlink}, want {want}");
                }

                if (ino != Inode.RootIno && (names.GetValueOrDefault(ino) != 1 || parentOf.GetValueOrDefault(ino) != inode.Parent))
                {
                    errors.Add($"directory {ino}: {names.GetValueOrDefault(ino)} names, parent {inode.Parent} vs entry in {parentOf.GetValueOrDefault(ino)}");
                }
            }
            else if (inode.Nlink != names.GetValueOrDefault(ino))
            {
                errors.Add($"inode {ino} nlink {inode.Nlink}, {names.GetValueOrDefault(ino)} names");
            }
        }

        ulong lastIno = 0, lastEnd = 0, allocated = 0;
        void CloseFile()
        {
            if (lastIno != 0 && inodes.TryGetValue(lastIno, out var f) && f.AllocatedBytes != allocated)
            {
                errors.Add($"inode {lastIno} allocated {f.AllocatedBytes}, extents cover {allocated}");
            }
        }

        foreach (var (key, value) in txn.Range(BtreeId.Extents, Bpos.Min, Bpos.Max))
        {
            var e = Extent.Decode(value.Span);
            if (key.Inode != lastIno)
            {
                CloseFile();
                lastIno = key.Inode;
                lastEnd = 0;
                allocated = 0;
            }

            if (!inodes.TryGetValue(key.Inode, out var file) || !file.IsRegular)
            {
                errors.Add($"extent {key} of missing or non-regular inode");
                continue;
            }

            if (key.Offset - e.Length < lastEnd)
            {
                errors.Add($"extent {key} overlaps the previous one ending at {lastEnd}");
            }

            if (key.Offset > file.Size)
            {
                errors.Add($"extent {key} beyond size {file.Size}");
            }

            lastEnd = key.Offset;
            allocated += e.Length;
        }

        CloseFile();
        foreach (var (key, _) in txn.Range(BtreeId.Xattrs, Bpos.Min, Bpos.Max))
        {
            if (!inodes.ContainsKey(key.Inode))
            {
                errors.Add($"xattr {key} of missing inode");
            }
        }

        return errors;
    }
}
