using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

public sealed partial class PosixFilesystem
{
    /// <summary>The value of extended attribute <paramref name="name"/> of <paramref name="ino"/>.</summary>
    /// <exception cref="PosixException">ENODATA: no such attribute; ENOENT; ERANGE/EINVAL: a bad name.</exception>
    public byte[] GetXattr(ulong ino, ReadOnlySpan<byte> name)
    {
        CheckXattrName(name);
        using var l = _locks.Read(ino);
        using var txn = _kv.Begin();
        LoadInode(txn, ino);
        return FindXattr(txn, ino, name) is (_, Xattr x) ? x.Value : throw new PosixException(Errno.ENODATA, $"no attribute '{Show(name)}' on inode {ino}");
    }

    /// <summary>Sets extended attribute <paramref name="name"/> of <paramref name="ino"/>.</summary>
    /// <exception cref="PosixException">EEXIST (Create); ENODATA (Replace); E2BIG: name and value over <see cref="Xattr.MaxValue"/> bytes; ENOENT; ENOSPC.</exception>
    public void SetXattr(ulong ino, ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, XattrFlags flags = XattrFlags.None)
    {
        CheckXattrName(name);
        if (name.Length + value.Length > Xattr.MaxValue)
        {
            throw new PosixException(Errno.E2BIG, $"attribute '{Show(name)}' of {value.Length} bytes (name and value at most {Xattr.MaxValue})");
        }

        using var locks = _locks.Intent(ino);
        using var txn = _kv.Begin();
        var inode = LoadInode(txn, ino);
        var existing = FindXattr(txn, ino, name);
        if (existing is not null && (flags & XattrFlags.Create) != 0)
        {
            throw new PosixException(Errno.EEXIST, $"attribute '{Show(name)}' exists on inode {ino}");
        }

        if (existing is null && (flags & XattrFlags.Replace) != 0)
        {
            throw new PosixException(Errno.ENODATA, $"no attribute '{Show(name)}' on inode {ino}");
        }

        ulong slot = existing is (ulong s, _) ? s : FreeXattrSlot(txn, ino, name);
        txn.Set(BtreeId.Xattrs, new Bpos(ino, slot), new Xattr(name.ToArray(), value.ToArray()).Encode());
        inode.CtimeNs = NowNs();
        SaveInode(txn, inode);
        Commit(locks, txn);
    }

    /// <summary>The names of the extended attributes of <paramref name="ino"/>.</summary>
    /// <exception cref="PosixException">ENOENT.</exception>
    public IReadOnlyList<byte[]> ListXattrs(ulong ino)
    {
        using var l = _locks.Read(ino);
        using var txn = _kv.Begin();
        LoadInode(txn, ino);
        return txn.Range(BtreeId.Xattrs, new Bpos(ino, 0), new Bpos(ino, ulong.MaxValue))
            .Select(kv => Xattr.Decode(kv.Value.Span).Name)
            .ToList();
    }

    /// <summary>Removes extended attribute <paramref name="name"/> of <paramref name="ino"/>.</summary>
    /// <exception cref="PosixException">ENODATA: no such attribute; ENOENT.</exception>
    public void RemoveXattr(ulong ino, ReadOnlySpan<byte> name)
    {
        CheckXattrName(name);
        using var locks = _locks.Intent(ino);
        using var txn = _kv.Begin();
        var inode = LoadInode(txn, ino);
        if (FindXattr(txn, ino, name) is not (ulong slot, _))
        {
            throw new PosixException(Errno.ENODATA, $"no attribute '{Show(name)}' on inode {ino}");
        }

        txn.Delete(BtreeId.Xattrs, new Bpos(ino, slot));
        inode.CtimeNs = NowNs();
        SaveInode(txn, inode);
        Commit(locks, txn);
    }

    private (ulong Slot, Xattr Value)? FindXattr(IKeyValueTransaction txn, ulong ino, ReadOnlySpan<byte> name)
    {
        ulong home = NameHash.HomeSlot(_options.NameHash(name));
        foreach (var (key, value) in txn.Range(BtreeId.Xattrs, new Bpos(ino, home), new Bpos(ino, home + NameHash.ProbeWindow - 1)))
        {
            if (Xattr.HasName(value.Span, name))
            {
                return (key.Offset, Xattr.Decode(value.Span));
            }
        }

        return null;
    }

    private ulong FreeXattrSlot(IKeyValueTransaction txn, ulong ino, ReadOnlySpan<byte> name)
    {
        ulong home = NameHash.HomeSlot(_options.NameHash(name));
        ulong slot = home;
        foreach (var (key, _) in txn.Range(BtreeId.Xattrs, new Bpos(ino, home), new Bpos(ino, home + NameHash.ProbeWindow - 1)))
        {
            if (key.Offset == slot)
            {
                slot++;
            }
        }

        return slot < home + NameHash.ProbeWindow
            ? slot
            : throw new PosixException(Errno.ENOSPC, $"{NameHash.ProbeWindow} attribute names collide with '{Show(name)}' on inode {ino}");
    }

    private static void CheckXattrName(ReadOnlySpan<byte> name)
    {
        if (name.Length == 0 || name.IndexOf((byte)0) >= 0)
        {
            throw new PosixException(Errno.EINVAL, "empty attribute name or NUL in it");
        }

        if (name.Length > Xattr.MaxName)
        {
            throw new PosixException(Errno.ERANGE, $"attribute name of {name.Length} bytes");
        }
    }
}
