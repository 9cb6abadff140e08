using System.Buffers;
using System.Runtime.InteropServices;

using Primitives.Filesystem.Fuse.Native;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Fuse;

/// <summary>
/// The FUSE low-level callbacks: each one finds its <see cref="FuseMount"/> from the request's
/// userdata, calls the <see cref="PosixFilesystem"/>, and replies; an exception becomes an error
/// reply (a <see cref="PosixException"/> its errno, anything else EIO, logged), never an unwind
/// into native code.
/// </summary>
internal static unsafe class FuseOperations
{
    private const double Timeout = 1.0; // seconds the kernel may cache attributes and names
    private const int ERANGE = 34;
    private const int EOPNOTSUPP = 95;
    private const int FallocKeepSize = 1;
    private const int FallocPunchHole = 2;

    /// <summary>The operations table; the caller keeps it alive (native memory) for the session's life.</summary>
    /// <summary>The byte offset of <c>max_write</c> in libfuse 3's <c>struct fuse_conn_info</c> (checked against the installed headers by the layout test).</summary>
    internal const int ConnInfoMaxWriteOffset = 8;

    /// <summary>The largest read or write request asked for at INIT.</summary>
    internal const uint MaxRequestBytes = 1 << 20;

    public static FuseLowlevelOps Table() => new()
    {
        Init = (nint)(delegate* unmanaged<nint, byte*, void>)&Init,
        Lookup = (nint)(delegate* unmanaged<nint, ulong, byte*, void>)&Lookup,
        Forget = (nint)(delegate* unmanaged<nint, ulong, ulong, void>)&Forget,
        Getattr = (nint)(delegate* unmanaged<nint, ulong, FuseFileInfo*, void>)&Getattr,
        Setattr = (nint)(delegate* unmanaged<nint, ulong, FuseStat*, int, FuseFileInfo*, void>)&Setattr,
        Readlink = (nint)(delegate* unmanaged<nint, ulong, void>)&Readlink,
        Mknod = (nint)(delegate* unmanaged<nint, ulong, byte*, uint, ulong, void>)&Mknod,
        Mkdir = (nint)(delegate* unmanaged<nint, ulong, byte*, uint, void>)&Mkdir,
        Unlink = (nint)(delegate* unmanaged<nint, ulong, byte*, void>)&Unlink,
        Rmdir = (nint)(delegate* unmanaged<nint, ulong, byte*, void>)&Rmdir,
        Symlink = (nint)(delegate* unmanaged<nint, byte*, ulong, byte*, void>)&Symlink,
        Rename = (nint)(delegate* unmanaged<nint, ulong, byte*, ulong, byte*, uint, void>)&Rename,
        Link = (nint)(delegate* unmanaged<nint, ulong, ulong, byte*, void>)&Link,
        Open = (nint)(delegate* unmanaged<nint, ulong, FuseFileInfo*, void>)&Open,
        Read = (nint)(delegate* unmanaged<nint, ulong, nuint, long, FuseFileInfo*, void>)&Read,
        Write = (nint)(delegate* unmanaged<nint, ulong, byte*, nuint, long, FuseFileInfo*, void>)&Write,
        Flush = (nint)(delegate* unmanaged<nint, ulong, FuseFileInfo*, void>)&Flush,
        Release = (nint)(delegate* unmanaged<nint, ulong, FuseFileInfo*, void>)&Release,
        Fsync = (nint)(delegate* unmanaged<nint, ulong, int, FuseFileInfo*, void>)&Fsync,
        Opendir = (nint)(delegate* unmanaged<nint, ulong, FuseFileInfo*, void>)&Opendir,
        Readdir = (nint)(delegate* unmanaged<nint, ulong, nuint, long, FuseFileInfo*, void>)&Readdir,
        Releasedir = (nint)(delegate* unmanaged<nint, ulong, FuseFileInfo*, void>)&Flush,
        Fsyncdir = (nint)(delegate* unmanaged<nint, ulong, int, FuseFileInfo*, void>)&Fsync,
        Statfs = (nint)(delegate* unmanaged<nint, ulong, void>)&Statfs,
        Setxattr = (nint)(delegate* unmanaged<nint, ulong, byte*, byte*, nuint, int, void>)&Setxattr,
        Getxattr = (nint)(delegate* unmanaged<nint, ulong, byte*, nuint, void>)&Getxattr,
        Listxattr = (nint)(delegate* unmanaged<nint, ulong, nuint, void>)&Listxattr,
        Removexattr = (nint)(delegate* unmanaged<nint, ulong, byte*, void>)&Removexattr,
        Create = (nint)(delegate* unmanaged<nint, ulong, byte*, uint, FuseFileInfo*, void>)&Create,
        Fallocate = (nint)(delegate* unmanaged<nint, ulong, int, long, long, FuseFileInfo*, void>)&Fallocate,
    };

    private static FuseMount MountOf(nint req)
    {
        var mount = (FuseMount)GCHandle.FromIntPtr(FuseNative.ReqUserdata(req)).Target!;
        mount.OnRequest();
        return mount;
    }

    private static PosixFilesystem Fs(nint req) => MountOf(req).Filesystem;

    private static ReadOnlySpan<byte> Str(byte* s) => MemoryMarshal.CreateReadOnlySpanFromNullTerminated(s);

    private static void Fail(nint req, Exception e)
    {
        int errno;
        if (e is PosixException p)
        {
            errno = (int)p.Errno;
        }
        else
        {
            errno = FuseErrors.ErrnoOf(e);
            try
            {
                MountOf(req).ReportError(e);
            }
            catch (Exception)
            {
                // Reporting must never take the request down with it.
            }
        }

        FuseNative.ReplyErr(req, errno);
    }

    internal static void FillStat(Inode inode, int blockSize, FuseStat* st)
    {
        *st = default;
        st->Ino = inode.Ino;
        st->Mode = inode.Mode;
        st->Nlink = inode.Nlink;
        st->Uid = inode.Uid;
        st->Gid = inode.Gid;
        st->Rdev = inode.Rdev;
        st->Size = (long)inode.Size;
        st->Blksize = blockSize;
        st->Blocks = (long)((inode.AllocatedBytes + 511) / 512);
        st->AtimeSec = Math.DivRem(inode.AtimeNs, 1_000_000_000L, out st->AtimeNsec);
        st->MtimeSec = Math.DivRem(inode.MtimeNs, 1_000_000_000L, out st->MtimeNsec);
        st->CtimeSec = Math.DivRem(inode.CtimeNs, 1_000_000_000L, out st->CtimeNsec);
    }

    private static int ReplyEntry(nint req, Inode inode)
    {
        FuseEntryParam e = default;
        e.Ino = inode.Ino;
        e.Generation = inode.Generation;
        e.AttrTimeout = Timeout;
        e.EntryTimeout = Timeout;
        FillStat(inode, Fs(req).BlockSize, &e.Attr);
        return FuseNative.ReplyEntry(req, &e);
    }

    private static void ReplyAttr(nint req, Inode inode)
    {
        FuseStat st;
        FillStat(inode, Fs(req).BlockSize, &st);
        FuseNative.ReplyAttr(req, &st, Timeout);
    }

    private static (uint Uid, uint Gid) Caller(nint req)
    {
        var ctx = FuseNative.ReqCtx(req);
        return (ctx->Uid, ctx->Gid);
    }

    /// <summary>
    /// INIT: asks for 1 MiB writes; libfuse then negotiates max_pages = 256 with the kernel, so reads
    /// and writes travel in requests of up to 1 MiB instead of 128 KiB (libfuse clamps the value to
    /// its receive buffer).
    /// </summary>
    [UnmanagedCallersOnly]
    private static void Init(nint userdata, byte* conn) => *(uint*)(conn + ConnInfoMaxWriteOffset) = MaxRequestBytes;

    [UnmanagedCallersOnly]
    private static void Lookup(nint req, ulong parent, byte* name)
    {
        try
        {
            ReplyEntry(req, Fs(req).Lookup(parent, Str(name)));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Forget(nint req, ulong ino, ulong nlookup) => FuseNative.ReplyNone(req);

    [UnmanagedCallersOnly]
    private static void Getattr(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            ReplyAttr(req, Fs(req).GetAttributes(ino));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Setattr(nint req, ulong ino, FuseStat* attr, int toSet, FuseFileInfo* fi)
    {
        try
        {
            var change = new SetAttributes
            {
                Mode = (toSet & FuseSetAttr.Mode) != 0 ? attr->Mode : null,
                Uid = (toSet & FuseSetAttr.Uid) != 0 ? attr->Uid : null,
                Gid = (toSet & FuseSetAttr.Gid) != 0 ? attr->Gid : null,
                Size = (toSet & FuseSetAttr.Size) != 0 ? (ulong)attr->Size : null,
                AtimeNs = (toSet & FuseSetAttr.Atime) != 0 ? (attr->AtimeSec * 1_000_000_000L) + attr->AtimeNsec : null,
                MtimeNs = (toSet & FuseSetAttr.Mtime) != 0 ? (attr->MtimeSec * 1_000_000_000L) + attr->MtimeNsec : null,
                AtimeNow = (toSet & FuseSetAttr.AtimeNow) != 0,
                MtimeNow = (toSet & FuseSetAttr.MtimeNow) != 0,
            };
            ReplyAttr(req, Fs(req).SetAttributes(ino, change));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Readlink(nint req, ulong ino)
    {
        try
        {
            byte[] target = Fs(req).ReadLink(ino);
            byte[] z = new byte[target.Length + 1];
            target.CopyTo(z, 0);
            fixed (byte* p = z)
            {
                FuseNative.ReplyReadlink(req, p);
            }
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Mknod(nint req, ulong parent, byte* name, uint mode, ulong rdev)
    {
        try
        {
            var (uid, gid) = Caller(req);
            ReplyEntry(req, Fs(req).CreateNode(parent, Str(name), mode, rdev, uid, gid));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Mkdir(nint req, ulong parent, byte* name, uint mode)
    {
        try
        {
            var (uid, gid) = Caller(req);
            ReplyEntry(req, Fs(req).MakeDirectory(parent, Str(name), mode, uid, gid));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Unlink(nint req, ulong parent, byte* name)
    {
        try
        {
            Fs(req).Unlink(parent, Str(name));
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Rmdir(nint req, ulong parent, byte* name)
    {
        try
        {
            Fs(req).RemoveDirectory(parent, Str(name));
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Symlink(nint req, byte* link, ulong parent, byte* name)
    {
        try
        {
            var (uid, gid) = Caller(req);
            ReplyEntry(req, Fs(req).CreateSymlink(parent, Str(name), Str(link), uid, gid));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Rename(nint req, ulong parent, byte* name, ulong newParent, byte* newName, uint flags)
    {
        try
        {
            Fs(req).Rename(parent, Str(name), newParent, Str(newName), (RenameFlags)flags);
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Link(nint req, ulong ino, ulong newParent, byte* newName)
    {
        try
        {
            ReplyEntry(req, Fs(req).Link(ino, newParent, Str(newName)));
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Open(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            var fs = Fs(req);
            fs.OpenFile(ino);
            fi->Fh = ino;
            if (FuseNative.ReplyOpen(req, fi) != 0)
            {
                fs.ReleaseFile(ino); // the open was interrupted: no release will come
            }
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Create(nint req, ulong parent, byte* name, uint mode, FuseFileInfo* fi)
    {
        try
        {
            var fs = Fs(req);
            var (uid, gid) = Caller(req);
            var inode = fs.CreateNode(parent, Str(name), mode, 0, uid, gid, open: true);
            FuseEntryParam e = default;
            e.Ino = inode.Ino;
            e.AttrTimeout = Timeout;
            e.EntryTimeout = Timeout;
            FillStat(inode, fs.BlockSize, &e.Attr);
            fi->Fh = inode.Ino;
            if (FuseNative.ReplyCreate(req, &e, fi) != 0)
            {
                fs.ReleaseFile(inode.Ino);
            }
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Read(nint req, ulong ino, nuint size, long off, FuseFileInfo* fi)
    {
        byte[]? buffer = null;
        try
        {
            buffer = ArrayPool<byte>.Shared.Rent((int)size);
            int n = Fs(req).Read(ino, off, buffer.AsSpan(0, (int)size));
            fixed (byte* p = buffer)
            {
                FuseNative.ReplyBuf(req, p, (nuint)n);
            }
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void Write(nint req, ulong ino, byte* buf, nuint size, long off, FuseFileInfo* fi)
    {
        try
        {
            int n = Fs(req).Write(ino, off, new ReadOnlySpan<byte>(buf, checked((int)size)));
            FuseNative.ReplyWrite(req, (nuint)n);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Flush(nint req, ulong ino, FuseFileInfo* fi) => FuseNative.ReplyErr(req, 0);

    [UnmanagedCallersOnly]
    private static void Release(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            Fs(req).ReleaseFile(ino);
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Fsync(nint req, ulong ino, int datasync, FuseFileInfo* fi)
    {
        try
        {
            Fs(req).Sync();
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Opendir(nint req, ulong ino, FuseFileInfo* fi)
    {
        try
        {
            if (!Fs(req).GetAttributes(ino).IsDirectory)
            {
                throw new PosixException(Errno.ENOTDIR);
            }

            FuseNative.ReplyOpen(req, fi);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Readdir(nint req, ulong ino, nuint size, long off, FuseFileInfo* fi)
    {
        byte[]? buffer = null;
        try
        {
            var entries = Fs(req).ReadDirectory(ino, off, Math.Max(1, (int)size / 32));
            buffer = ArrayPool<byte>.Shared.Rent((int)size);
            nuint used = 0;
            Span<byte> name = stackalloc byte[Dirent.MaxName + 1];
            fixed (byte* buf = buffer)
            fixed (byte* namePtr = name)
            {
                foreach (var entry in entries)
                {
                    entry.Name.CopyTo(name);
                    name[entry.Name.Length] = 0;
                    FuseStat st = default;
                    st.Ino = entry.Ino;
                    st.Mode = (uint)entry.Type << 12;
                    nuint needed = FuseNative.AddDirentry(req, buf + used, size - used, namePtr, &st, entry.NextOffset);
                    if (needed > size - used)
                    {
                        break;
                    }

                    used += needed;
                }

                FuseNative.ReplyBuf(req, buf, used);
            }
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void Statfs(nint req, ulong ino)
    {
        try
        {
            var s = Fs(req).StatFs();
            FuseStatvfs v = default;
            v.Bsize = v.Frsize = (ulong)s.BlockSize;
            v.Blocks = (ulong)s.TotalBlocks;
            v.Bfree = v.Bavail = (ulong)s.FreeBlocks;
            v.Files = (ulong)s.TotalInodes;
            v.Ffree = v.Favail = (ulong)s.FreeInodes;
            v.Namemax = (ulong)s.MaxNameLength;
            FuseNative.ReplyStatfs(req, &v);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Setxattr(nint req, ulong ino, byte* name, byte* value, nuint size, int flags)
    {
        try
        {
            Fs(req).SetXattr(ino, Str(name), new ReadOnlySpan<byte>(value, checked((int)size)), (XattrFlags)flags);
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Getxattr(nint req, ulong ino, byte* name, nuint size)
    {
        try
        {
            ReplySized(req, Fs(req).GetXattr(ino, Str(name)), size);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Listxattr(nint req, ulong ino, nuint size)
    {
        try
        {
            var names = Fs(req).ListXattrs(ino);
            var list = new byte[names.Sum(n => n.Length + 1)];
            int pos = 0;
            foreach (var n in names)
            {
                n.CopyTo(list, pos);
                pos += n.Length + 1;
            }

            ReplySized(req, list, size);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    /// <summary>The getxattr/listxattr protocol: size 0 asks for the length; a too small buffer is ERANGE.</summary>
    private static void ReplySized(nint req, byte[] value, nuint size)
    {
        if (size == 0)
        {
            FuseNative.ReplyXattr(req, (nuint)value.Length);
        }
        else if ((nuint)value.Length > size)
        {
            FuseNative.ReplyErr(req, ERANGE);
        }
        else
        {
            fixed (byte* p = value)
            {
                FuseNative.ReplyBuf(req, p, (nuint)value.Length);
            }
        }
    }

    [UnmanagedCallersOnly]
    private static void Removexattr(nint req, ulong ino, byte* name)
    {
        try
        {
            Fs(req).RemoveXattr(ino, Str(name));
            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    [UnmanagedCallersOnly]
    private static void Fallocate(nint req, ulong ino, int mode, long offset, long length, FuseFileInfo* fi)
    {
        try
        {
            var fs = Fs(req);
            if (mode == (FallocPunchHole | FallocKeepSize))
            {
                fs.PunchHole(ino, offset, length);
            }
            else if (mode == 0 || mode == FallocKeepSize)
            {
                // Space is not reserved ahead (copy-on-write allocates at write time anyway); plain
                // mode extends the size as posix_fallocate must.
                var inode = fs.GetAttributes(ino);
                if (mode == 0 && (ulong)(offset + length) > inode.Size)
                {
                    fs.SetAttributes(ino, new SetAttributes { Size = (ulong)(offset + length) });
                }
            }
            else
            {
                FuseNative.ReplyErr(req, EOPNOTSUPP);
                return;
            }

            FuseNative.ReplyErr(req, 0);
        }
        catch (Exception e)
        {
            Fail(req, e);
        }
    }

    /// <summary>How many operation slots the table has (44 in libfuse 3.14).</summary>
    internal static int OperationCount() => sizeof(FuseLowlevelOps) / sizeof(nint);
}
