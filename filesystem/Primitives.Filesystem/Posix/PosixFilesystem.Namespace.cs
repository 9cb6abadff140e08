using Primitives.Filesystem.Btrees;
using Primitives.Locking;

namespace Primitives.Filesystem.Posix;

public sealed partial class PosixFilesystem
{
    private static ReadOnlySpan<byte> Dot => "."u8;

    private static ReadOnlySpan<byte> DotDot => ".."u8;

    /// <summary>Looks up <paramref name="name"/> in directory <paramref name="parent"/> ("." and ".." included).</summary>
    /// <returns>The inode the name refers to.</returns>
    /// <exception cref="PosixException">ENOENT; ENOTDIR: parent is not a directory; ENAMETOOLONG.</exception>
    public Inode Lookup(ulong parent, ReadOnlySpan<byte> name)
    {
        using var l = _locks.Read(parent);
        using var txn = _kv.Begin();
        var dir = LoadDirectory(txn, parent);
        if (name.SequenceEqual(Dot))
        {
            return dir;
        }

        if (name.SequenceEqual(DotDot))
        {
            return LoadInode(txn, dir.Parent);
        }

        CheckName(name, forCreate: false);
        if (FindEntry(txn, parent, name) is not (_, Dirent entry))
        {
            throw new PosixException(Errno.ENOENT, $"no entry '{Show(name)}' in directory {parent}");
        }

        return LoadInode(txn, entry.Ino);
    }

    /// <summary>Creates a file node (regular file, FIFO, socket, device) named <paramref name="name"/> in <paramref name="parent"/>.</summary>
    /// <param name="parent">The directory.</param>
    /// <param name="name">The new name.</param>
    /// <param name="mode">Type and permission bits; a zero type means a regular file. Directories and links have their own calls.</param>
    /// <param name="rdev">The device number of a device node.</param>
    /// <param name="uid">The owner.</param>
    /// <param name="gid">The group.</param>
    /// <param name="open">Also count an open handle (create with open), atomically with the creation.</param>
    /// <returns>The new inode.</returns>
    /// <exception cref="PosixException">EEXIST; ENOENT/ENOTDIR: bad parent; EINVAL: a directory or link type; ENAMETOOLONG; ENOSPC.</exception>
    public Inode CreateNode(ulong parent, ReadOnlySpan<byte> name, uint mode, ulong rdev, uint uid, uint gid, bool open = false)
    {
        if (FileTypeBits.TypeOf(mode) == 0)
        {
            mode |= FileTypeBits.Regular;
        }

        if (FileTypeBits.IsDirectory(mode) || FileTypeBits.IsSymlink(mode))
        {
            throw new PosixException(Errno.EINVAL, "directories and symbolic links have their own calls");
        }

        return CreateInode(parent, name, mode, uid, gid, rdev, [], open);
    }

    /// <summary>Creates a directory.</summary>
    /// <returns>The new directory's inode.</returns>
    /// <exception cref="PosixException">EEXIST; ENOENT/ENOTDIR: bad parent; ENAMETOOLONG; EMLINK; ENOSPC.</exception>
    public Inode MakeDirectory(ulong parent, ReadOnlySpan<byte> name, uint mode, uint uid, uint gid) =>
        CreateInode(parent, name, FileTypeBits.Directory | (mode & FileTypeBits.PermissionMask), uid, gid, 0, [], open: false);

    /// <summary>Creates a symbolic link to <paramref name="target"/>.</summary>
    /// <returns>The new link's inode.</returns>
    /// <exception cref="PosixException">EEXIST; ENOENT/ENOTDIR: bad parent; ENAMETOOLONG: name or target too long (target at most <see cref="Inode.MaxSymlinkTarget"/> bytes).</exception>
    public Inode CreateSymlink(ulong parent, ReadOnlySpan<byte> name, ReadOnlySpan<byte> target, uint uid, uint gid)
    {
        if (target.Length == 0)
        {
            throw new PosixException(Errno.ENOENT, "empty symbolic link target");
        }

        if (target.Length > Inode.MaxSymlinkTarget)
        {
            throw new PosixException(Errno.ENAMETOOLONG, $"symbolic link target of {target.Length} bytes (at most {Inode.MaxSymlinkTarget})");
        }

        return CreateInode(parent, name, FileTypeBits.Symlink | 0x1FF, uid, gid, 0, target.ToArray(), open: false);
    }

    /// <summary>The target of symbolic link <paramref name="ino"/>.</summary>
    /// <exception cref="PosixException">ENOENT; EINVAL: not a symbolic link.</exception>
    public byte[] ReadLink(ulong ino)
    {
        var inode = GetAttributes(ino);
        if (!FileTypeBits.IsSymlink(inode.Mode))
        {
            throw new PosixException(Errno.EINVAL, $"inode {ino} is not a symbolic link");
        }

        return inode.SymlinkTarget;
    }

    /// <summary>Adds the name <paramref name="newName"/> in <paramref name="newParent"/> for <paramref name="ino"/> (a hard link).</summary>
    /// <returns>The inode with its new link count.</returns>
    /// <exception cref="PosixException">EPERM: a directory; EEXIST; EMLINK; ENOENT.</exception>
    public Inode Link(ulong ino, ulong newParent, ReadOnlySpan<byte> newName)
    {
        CheckName(newName, forCreate: true);
        using var locks = _locks.Intent(ino, newParent);
        using var txn = _kv.Begin();
        var inode = LoadInode(txn, ino);
        if (inode.IsDirectory)
        {
            throw new PosixException(Errno.EPERM, $"hard link to directory {ino}");
        }

        if (inode.Nlink == 0)
        {
            throw new PosixException(Errno.ENOENT, $"inode {ino} was unlinked");
        }

        if (inode.Nlink >= MaxLinks)
        {
            throw new PosixException(Errno.EMLINK, $"inode {ino} has {inode.Nlink} links");
        }

        long now = NowNs();
        var dir = LoadDirectory(txn, newParent);
        InsertEntry(txn, newParent, newName, new Dirent(ino, FileTypeBits.DirentType(inode.Mode), newName.ToArray()));
        inode.Nlink++;
        inode.CtimeNs = now;
        SaveInode(txn, inode);
        dir.MtimeNs = dir.CtimeNs = now;
        SaveInode(txn, dir);
        Commit(locks, txn);
        return inode;
    }

    /// <summary>Removes the name of a non-directory; the file goes when its last link and handle go.</summary>
    /// <exception cref="PosixException">ENOENT; EISDIR: a directory (use <see cref="RemoveDirectory"/>); ENOTDIR: bad parent.</exception>
    public void Unlink(ulong parent, ReadOnlySpan<byte> name) => Remove(parent, name, directory: false);

    /// <summary>Removes an empty directory.</summary>
    /// <exception cref="PosixException">ENOENT; ENOTDIR; ENOTEMPTY; EINVAL: "."; EBUSY-like EINVAL for the root.</exception>
    public void RemoveDirectory(ulong parent, ReadOnlySpan<byte> name) => Remove(parent, name, directory: true);

    /// <summary>
    /// Renames <paramref name="name"/> in <paramref name="parent"/> to <paramref name="newName"/> in
    /// <paramref name="newParent"/>, atomically: an existing target is replaced (a file by a file, an
    /// empty directory by a directory), unless <see cref="RenameFlags.NoReplace"/>; with
    /// <see cref="RenameFlags.Exchange"/> the two entries swap.
    /// </summary>
    /// <exception cref="PosixException">ENOENT; EEXIST (NoReplace); ENOTEMPTY; EISDIR/ENOTDIR (type mismatch);
    /// EINVAL: a directory into its own subtree, or both flags.</exception>
    public void Rename(ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags = RenameFlags.None)
    {
        if ((flags & ~(RenameFlags.NoReplace | RenameFlags.Exchange)) != 0 || flags == (RenameFlags.NoReplace | RenameFlags.Exchange))
        {
            throw new PosixException(Errno.EINVAL, $"rename flags {flags}");
        }

        CheckName(name, forCreate: true);
        CheckName(newName, forCreate: true);
        // Cross-directory renames are serialised (as the kernel's rename mutex does), so the
        // ancestor check below cannot race with another directory moving.
        SixLockHandle renameLock = parent != newParent ? _renameLock.Intent() : default;
        try
        {
            while (true)
            {
                // Find the inodes involved without locks, lock all of them in order, then check
                // that the names still refer to them; retry if a concurrent update moved one.
                ulong srcIno, dstIno;
                using (var txn = _kv.Begin())
                {
                    srcIno = FindEntry(txn, parent, name) is (_, Dirent s) ? s.Ino : 0;
                    dstIno = FindEntry(txn, newParent, newName) is (_, Dirent d) ? d.Ino : 0;
                }

                using var locks = _locks.Intent(parent, newParent, srcIno, dstIno);
                if (RenameLocked(locks, parent, name, newParent, newName, flags, srcIno, dstIno))
                {
                    return;
                }
            }
        }
        finally
        {
            renameLock.Dispose();
        }
    }

    /// <summary>
    /// Reads directory entries from <paramref name="offset"/> (0 for the start, else a
    /// <see cref="DirectoryEntry.NextOffset"/>): ".", "..", then the entries in slot order. Offsets
    /// are stable: entries added or removed meanwhile do not make others repeat or vanish.
    /// </summary>
    /// <param name="ino">The directory.</param>
    /// <param name="offset">Where to continue.</param>
    /// <param name="maxEntries">The most entries to return.</param>
    /// <exception cref="PosixException">ENOENT; ENOTDIR.</exception>
    public IReadOnlyList<DirectoryEntry> ReadDirectory(ulong ino, long offset, int maxEntries)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxEntries);
        using var l = _locks.Read(ino);
        using var txn = _kv.Begin();
        var dir = LoadDirectory(txn, ino);
        var list = new List<DirectoryEntry>();
        if (offset < 1)
        {
            list.Add(new DirectoryEntry(Dot.ToArray(), ino, FileTypeBits.DirentType(FileTypeBits.Directory), 1));
        }

        if (offset < 2 && list.Count < maxEntries)
        {
            list.Add(new DirectoryEntry(DotDot.ToArray(), dir.Parent, FileTypeBits.DirentType(FileTypeBits.Directory), 2));
        }

        ulong from = Math.Max((ulong)offset, NameHash.MinSlot);
        foreach (var (key, value) in txn.Range(BtreeId.Dirents, new Bpos(ino, from), new Bpos(ino, ulong.MaxValue)))
        {
            if (list.Count >= maxEntries)
            {
                break;
            }

            var entry = Dirent.Decode(value.Span);
            list.Add(new DirectoryEntry(entry.Name, entry.Ino, entry.Type, (long)key.Offset + 1));
        }

        return list;
    }

    private Inode CreateInode(ulong parent, ReadOnlySpan<byte> name, uint mode, uint uid, uint gid, ulong rdev, byte[] target, bool open)
    {
        CheckName(name, forCreate: true);
        ulong ino = AllocateIno();
        using var locks = _locks.Intent(parent, ino);
        using var txn = _kv.Begin();
        var dir = LoadDirectory(txn, parent);
        if (dir.Nlink == 0)
        {
            throw new PosixException(Errno.ENOENT, $"directory {parent} was removed");
        }

        bool isDir = FileTypeBits.IsDirectory(mode);
        if (isDir && dir.Nlink >= uint.MaxValue - 1)
        {
            throw new PosixException(Errno.EMLINK, $"directory {parent} has {dir.Nlink} links");
        }

        long now = NowNs();
        var inode = new Inode
        {
            Ino = ino,
            Mode = mode,
            Uid = uid,
            Gid = gid,
            Nlink = isDir ? 2u : 1u,
            Size = (ulong)target.Length,
            AtimeNs = now,
            MtimeNs = now,
            CtimeNs = now,
            BtimeNs = now,
            Parent = isDir ? parent : 0,
            Rdev = rdev,
            SymlinkTarget = target,
        };
        InsertEntry(txn, parent, name, new Dirent(ino, FileTypeBits.DirentType(mode), name.ToArray()));
        SaveInode(txn, inode);
        if (isDir)
        {
            dir.Nlink++;
        }

        dir.MtimeNs = dir.CtimeNs = now;
        SaveInode(txn, dir);
        Commit(locks, txn);
        if (open)
        {
            _openCount.AddOrUpdate(ino, 1, (_, n) => n + 1);
        }

        return inode;
    }

    private void Remove(ulong parent, ReadOnlySpan<byte> name, bool directory)
    {
        if (name.SequenceEqual(Dot))
        {
            throw new PosixException(directory ? Errno.EINVAL : Errno.EISDIR, "cannot remove '.'");
        }

        if (name.SequenceEqual(DotDot))
        {
            throw new PosixException(directory ? Errno.ENOTEMPTY : Errno.EISDIR, "cannot remove '..'");
        }

        CheckName(name, forCreate: false);
        while (true)
        {
            ulong childIno;
            using (var txn = _kv.Begin())
            {
                LoadDirectory(txn, parent);
                childIno = FindEntry(txn, parent, name) is (_, Dirent e) ? e.Ino : throw new PosixException(Errno.ENOENT, $"no entry '{Show(name)}' in directory {parent}");
            }

            using var locks = _locks.Intent(parent, childIno);
            using (var txn = _kv.Begin())
            {
                var dir = LoadDirectory(txn, parent);
                if (FindEntry(txn, parent, name) is not (ulong slot, Dirent entry))
                {
                    throw new PosixException(Errno.ENOENT, $"no entry '{Show(name)}' in directory {parent}");
                }

                if (entry.Ino != childIno)
                {
                    continue; // replaced meanwhile: lock the new inode instead
                }

                var child = LoadInode(txn, childIno);
                long now = NowNs();
                if (directory)
                {
                    if (!child.IsDirectory)
                    {
                        throw new PosixException(Errno.ENOTDIR, $"'{Show(name)}' is not a directory");
                    }

                    if (!IsEmptyDirectory(txn, childIno))
                    {
                        throw new PosixException(Errno.ENOTEMPTY, $"directory '{Show(name)}' is not empty");
                    }

                    child.Nlink = 0;
                    dir.Nlink--;
                }
                else
                {
                    if (child.IsDirectory)
                    {
                        throw new PosixException(Errno.EISDIR, $"'{Show(name)}' is a directory");
                    }

                    child.Nlink--;
                }

                child.CtimeNs = now;
                dir.MtimeNs = dir.CtimeNs = now;
                txn.Delete(BtreeId.Dirents, new Bpos(parent, slot));
                SaveInode(txn, child);
                SaveInode(txn, dir);
                Commit(locks, txn);
            }

            EvictIfUnlinked(locks, childIno);
            return;
        }
    }

    private bool RenameLocked(InodeLockTable.IntentSet locks, ulong parent, ReadOnlySpan<byte> name, ulong newParent, ReadOnlySpan<byte> newName, RenameFlags flags, ulong srcIno, ulong dstIno)
    {
        using var txn = _kv.Begin();
        LoadDirectory(txn, parent);
        LoadDirectory(txn, newParent);
        var src = FindEntry(txn, parent, name);
        var dst = FindEntry(txn, newParent, newName);
        if (src is not (ulong srcSlot, Dirent srcEntry))
        {
            throw new PosixException(Errno.ENOENT, $"no entry '{Show(name)}' in directory {parent}");
        }

        if (srcEntry.Ino != srcIno || (dst is (_, Dirent d0) ? d0.Ino : 0) != dstIno)
        {
            return false; // changed between the unlocked look and the locks: retry
        }

        if (parent == newParent && name.SequenceEqual(newName))
        {
            return true;
        }

        if (dst is not null && (flags & RenameFlags.NoReplace) != 0)
        {
            throw new PosixException(Errno.EEXIST, $"'{Show(newName)}' exists in directory {newParent}");
        }

        if (dst is null && (flags & RenameFlags.Exchange) != 0)
        {
            throw new PosixException(Errno.ENOENT, $"no entry '{Show(newName)}' in directory {newParent} to exchange with");
        }

        var srcInode = LoadInode(txn, srcIno);
        var dstInode = dstIno != 0 ? LoadInode(txn, dstIno) : null;
        if (srcInode.IsDirectory && parent != newParent && IsAncestorOf(txn, srcIno, newParent))
        {
            throw new PosixException(Errno.EINVAL, $"cannot move directory {srcIno} into its own subtree");
        }

        long now = NowNs();
        if ((flags & RenameFlags.Exchange) != 0)
        {
            var (dstSlot, dstEntry) = dst!.Value;
            if (dstInode!.IsDirectory && parent != newParent && IsAncestorOf(txn, dstIno, parent))
            {
                throw new PosixException(Errno.EINVAL, $"cannot move directory {dstIno} into its own subtree");
            }

            txn.Set(BtreeId.Dirents, new Bpos(parent, srcSlot), (srcEntry with { Ino = dstIno, Type = dstEntry.Type }).Encode());
            txn.Set(BtreeId.Dirents, new Bpos(newParent, dstSlot), (dstEntry with { Ino = srcIno, Type = srcEntry.Type }).Encode());
            if (parent != newParent)
            {
                MoveDirectory(txn, srcInode, parent, newParent);
                MoveDirectory(txn, dstInode, newParent, parent);
            }

            Touch(txn, srcIno, now, data: false);
            Touch(txn, dstIno, now, data: false);
            Touch(txn, parent, now, data: true);
            Touch(txn, newParent, now, data: true);
            Commit(locks, txn);
            return true;
        }

        if (srcIno == dstIno)
        {
            return true; // two links of one file: POSIX says do nothing
        }

        if (dstInode is not null)
        {
            if (srcInode.IsDirectory && !dstInode.IsDirectory)
            {
                throw new PosixException(Errno.ENOTDIR, $"cannot replace non-directory '{Show(newName)}' by a directory");
            }

            if (!srcInode.IsDirectory && dstInode.IsDirectory)
            {
                throw new PosixException(Errno.EISDIR, $"cannot replace directory '{Show(newName)}' by a non-directory");
            }

            if (dstInode.IsDirectory && !IsEmptyDirectory(txn, dstIno))
            {
                throw new PosixException(Errno.ENOTEMPTY, $"directory '{Show(newName)}' is not empty");
            }

            // The target's slot now names the source (it keeps its readdir cookie).
            var (dstSlot, _) = dst!.Value;
            txn.Set(BtreeId.Dirents, new Bpos(newParent, dstSlot), new Dirent(srcIno, srcEntry.Type, newName.ToArray()).Encode());
            Update(txn, dstIno, i =>
            {
                i.Nlink = i.IsDirectory ? 0 : i.Nlink - 1;
                i.CtimeNs = now;
            });
            if (dstInode.IsDirectory)
            {
                Update(txn, newParent, i => i.Nlink--);
            }
        }
        else
        {
            InsertEntry(txn, newParent, newName, new Dirent(srcIno, srcEntry.Type, newName.ToArray()));
        }

        txn.Delete(BtreeId.Dirents, new Bpos(parent, srcSlot));
        if (parent != newParent)
        {
            MoveDirectory(txn, srcInode, parent, newParent);
        }

        Touch(txn, srcIno, now, data: false);
        Touch(txn, parent, now, data: true);
        Touch(txn, newParent, now, data: true);
        Commit(locks, txn);
        if (dstIno != 0)
        {
            EvictIfUnlinked(locks, dstIno);
        }

        return true;
    }

    /// <summary>A directory moving from one parent to another: its ".." and both link counts follow.</summary>
    private static void MoveDirectory(IKeyValueTransaction txn, Inode moved, ulong from, ulong to)
    {
        if (!moved.IsDirectory)
        {
            return;
        }

        Update(txn, moved.Ino, i => i.Parent = to);
        Update(txn, from, i => i.Nlink--);
        Update(txn, to, i => i.Nlink++);
    }

    private static void Touch(IKeyValueTransaction txn, ulong ino, long now, bool data) => Update(txn, ino, i =>
    {
        i.CtimeNs = now;
        if (data)
        {
            i.MtimeNs = now;
        }
    });

    /// <summary>Whether <paramref name="ancestor"/> is <paramref name="dir"/> or one of its ancestors.</summary>
    private static bool IsAncestorOf(IKeyValueTransaction txn, ulong ancestor, ulong dir)
    {
        for (int depth = 0; depth < 1 << 16; depth++)
        {
            if (dir == ancestor)
            {
                return true;
            }

            if (dir == Inode.RootIno)
            {
                return false;
            }

            dir = LoadInode(txn, dir).Parent;
        }

        throw new FilesystemException($"directory parent chain from {dir} does not reach the root");
    }

    private static bool IsEmptyDirectory(IKeyValueTransaction txn, ulong ino) =>
        !txn.Range(BtreeId.Dirents, new Bpos(ino, 0), new Bpos(ino, ulong.MaxValue)).Any();

    private static Inode LoadDirectory(IKeyValueTransaction txn, ulong ino)
    {
        var dir = LoadInode(txn, ino);
        if (!dir.IsDirectory)
        {
            throw new PosixException(Errno.ENOTDIR, $"inode {ino} is not a directory");
        }

        return dir;
    }

    /// <summary>The slot and entry of <paramref name="name"/> in <paramref name="dir"/>: a scan of the name's probe window.</summary>
    private (ulong Slot, Dirent Entry)? FindEntry(IKeyValueTransaction txn, ulong dir, ReadOnlySpan<byte> name)
    {
        ulong home = NameHash.HomeSlot(_options.NameHash(name));
        foreach (var (key, value) in txn.Range(BtreeId.Dirents, new Bpos(dir, home), new Bpos(dir, home + NameHash.ProbeWindow - 1)))
        {
            if (Dirent.HasName(value.Span, name))
            {
                return (key.Offset, Dirent.Decode(value.Span));
            }
        }

        return null;
    }

    private void InsertEntry(IKeyValueTransaction txn, ulong dir, ReadOnlySpan<byte> name, Dirent entry)
    {
        ulong home = NameHash.HomeSlot(_options.NameHash(name));
        ulong slot = home;
        foreach (var (key, value) in txn.Range(BtreeId.Dirents, new Bpos(dir, home), new Bpos(dir, home + NameHash.ProbeWindow - 1)))
        {
            if (Dirent.HasName(value.Span, name))
            {
                throw new PosixException(Errno.EEXIST, $"'{Show(name)}' exists in directory {dir}");
            }

            if (key.Offset == slot)
            {
                slot++; // taken: probe the next one
            }
        }

        if (slot >= home + NameHash.ProbeWindow)
        {
            throw new PosixException(Errno.ENOSPC, $"{NameHash.ProbeWindow} names collide with '{Show(name)}' in directory {dir}");
        }

        txn.Set(BtreeId.Dirents, new Bpos(dir, slot), entry.Encode());
    }

    private static void CheckName(ReadOnlySpan<byte> name, bool forCreate)
    {
        if (name.Length == 0)
        {
            throw new PosixException(Errno.ENOENT, "empty name");
        }

        if (name.Length > Dirent.MaxName)
        {
            throw new PosixException(Errno.ENAMETOOLONG, $"name of {name.Length} bytes");
        }

        if (name.IndexOfAny((byte)'/', (byte)0) >= 0)
        {
            throw new PosixException(Errno.EINVAL, $"name '{Show(name)}' contains '/' or NUL");
        }

        if (forCreate && (name.SequenceEqual(Dot) || name.SequenceEqual(DotDot)))
        {
            throw new PosixException(Errno.EEXIST, $"'{Show(name)}' always exists");
        }
    }

    private static string Show(ReadOnlySpan<byte> name) => System.Text.Encoding.UTF8.GetString(name);
}
