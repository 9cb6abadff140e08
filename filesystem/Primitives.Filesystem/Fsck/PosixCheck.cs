using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Fsck;

/// <summary>
/// fsck's POSIX pass: directory entries against inodes, and link counts. It runs when the
/// filesystem holds the POSIX layer's root inode (a bare key/value engine has none).
/// </summary>
/// <remarks>
/// <para>Rules (those <see cref="PosixFilesystem"/> keeps): an entry lives in a directory that exists
/// and names an inode that exists; a non-directory's link count is the number of entries naming
/// it; a directory's is 2 plus its subdirectories ("." and its parent's entry); a directory other
/// than the root is named by exactly one entry. An inode with no links and no entries is an orphan
/// (an unlinked file still open at a crash), consistent here and freed by the next POSIX mount.</para>
/// <para>Repairs: dangling entries are deleted, and link counts are set to what the remaining
/// entries say (a file no entry names gets 0 and becomes an orphan). A directory named by no entry
/// or by several is reported but not repaired (there is no lost+found).</para>
/// </remarks>
internal static class PosixCheck
{
    /// <summary>What a repair pass changes: entries to delete, and inodes whose link count to set.</summary>
    internal sealed record Repairs(List<Bpos> DanglingDirents, List<(ulong Ino, uint Nlink)> LinkCounts)
    {
        public static Repairs None() => new([], []);
    }

    /// <summary>Checks <paramref name="store"/>; false (and nothing checked) when it holds no POSIX root inode.</summary>
    public static bool Run(IKeyValueStore store, List<FsckProblem> problems, Repairs repairs)
    {
        using IKeyValueTransaction tx = store.Begin();
        if (!tx.TryGet(BtreeId.Inodes, Inode.Key(Inode.RootIno), out var rootValue) || !PosixKeys.TryReadInodeMode(rootValue.Span, out uint rootMode) || !FileTypeBits.IsDirectory(rootMode))
        {
            return false;
        }

        // Inodes: number -> (is directory, link count).
        var inodes = new Dictionary<ulong, (bool Directory, uint Nlink)>();
        foreach (var (key, value) in tx.Range(BtreeId.Inodes, Inode.Key(Inode.RootIno), Inode.Key(ulong.MaxValue)))
        {
            if (PosixKeys.TryReadInodeMode(value.Span, out uint mode) && PosixKeys.TryReadInodeLinkCount(value.Span, out uint nlink))
            {
                inodes[PosixKeys.InodeNumberOf(key)] = (FileTypeBits.IsDirectory(mode), nlink);
            }
        }

        var namedBy = new Dictionary<ulong, int>();
        var subdirectories = new Dictionary<ulong, int>();
        foreach (var (key, value) in tx.Range(BtreeId.Dirents, Bpos.Min, Bpos.Max))
        {
            ulong directory = key.Inode;
            string location = $"dirent {key}";
            string? dangling = null;
            if (!PosixKeys.TryReadDirentTarget(value.Span, out ulong target))
            {
                dangling = "the entry's value is not a directory entry";
            }
            else if (!inodes.TryGetValue(directory, out var parent) || !parent.Directory)
            {
                dangling = $"the entry is in inode {directory}, which is not an existing directory";
            }
            else if (!inodes.TryGetValue(target, out var child))
            {
                dangling = $"the entry names inode {target}, which does not exist";
            }
            else
            {
                namedBy[target] = namedBy.GetValueOrDefault(target) + 1;
                if (child.Directory)
                {
                    subdirectories[directory] = subdirectories.GetValueOrDefault(directory) + 1;
                }
            }

            if (dangling is not null)
            {
                problems.Add(new FsckProblem(FsckProblemKind.DanglingDirent, location, dangling, false));
                repairs.DanglingDirents.Add(key);
            }
        }

        foreach (var (ino, (directory, nlink)) in inodes)
        {
            int names = namedBy.GetValueOrDefault(ino);
            if (nlink == 0 && names == 0)
            {
                continue; // an orphan: freed by the next POSIX mount
            }

            string location = $"inode {ino}";
            if (directory && ino != Inode.RootIno && names != 1)
            {
                problems.Add(new FsckProblem(FsckProblemKind.LinkCount, location, $"directory named by {names} entries (expected 1)", false));
                continue;
            }

            uint expected = directory ? (uint)(2 + subdirectories.GetValueOrDefault(ino)) : (uint)names;
            if (nlink != expected)
            {
                problems.Add(new FsckProblem(FsckProblemKind.LinkCount, location, $"link count {nlink}, but {(directory ? $"2 + {expected - 2} subdirectories" : $"{names} entries name it")}", false));
                repairs.LinkCounts.Add((ino, expected));
            }
        }

        return true;
    }

    /// <summary>Applies <paramref name="repairs"/> through <paramref name="store"/> (a read-write mount), in bounded transactions.</summary>
    public static void Repair(IKeyValueStore store, Repairs repairs)
    {
        foreach (Bpos[] chunk in repairs.DanglingDirents.Chunk(64))
        {
            using IKeyValueTransaction tx = store.Begin();
            foreach (Bpos key in chunk)
            {
                tx.Delete(BtreeId.Dirents, key);
            }

            tx.Commit();
        }

        foreach ((ulong Ino, uint Nlink)[] chunk in repairs.LinkCounts.Chunk(64))
        {
            using IKeyValueTransaction tx = store.Begin();
            foreach (var (ino, nlink) in chunk)
            {
                if (tx.TryGet(BtreeId.Inodes, Inode.Key(ino), out var value))
                {
                    Inode inode = Inode.Decode(ino, value.Span);
                    inode.Nlink = nlink;
                    tx.Set(BtreeId.Inodes, Inode.Key(ino), inode.Encode());
                }
            }

            tx.Commit();
        }
    }
}
