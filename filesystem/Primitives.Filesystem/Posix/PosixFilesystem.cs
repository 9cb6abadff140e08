using System.Buffers.Binary;
using System.Collections.Concurrent;

using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;
using Primitives.Locking;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// POSIX file semantics over the engine's btrees (<see cref="IKeyValueStore"/>) and user data space
/// (<see cref="IDataStore"/>): inodes, directories with hashed entries and stable readdir cookies,
/// sparse regular files made of extents, symbolic and hard links, rename, xattrs, statfs and fsync.
/// Operations take inode numbers, as the FUSE low-level API does; errors are
/// <see cref="PosixException"/>s carrying an <see cref="Errno"/>.
/// </summary>
/// <remarks>
/// <para><b>Thread safety.</b> Every operation is thread-safe. Updates of an inode are serialised
/// with <see cref="SixLock"/>s (intent while preparing, write around the commit; readers take read),
/// and every operation is one engine transaction, so a crash leaves each operation whole or absent.
/// Freeing a deleted file's extents may take more transactions (its inode goes last; an inode left
/// with no link by a crash is freed at the next open, see <see cref="PosixOptions.FreeOrphansOnOpen"/>).</para>
/// <para><b>Layout.</b> <see cref="Inode"/>, <see cref="Dirent"/>, <see cref="Extent"/> and the xattr
/// encoding (<see cref="Xattr"/>) document the keys and values, for fsck.</para>
/// <para>Access times are only changed by <see cref="SetAttributes"/> (as with noatime); permission
/// checks are left to the caller (the FUSE mount asks the kernel for <c>default_permissions</c>).</para>
/// </remarks>
public sealed partial class PosixFilesystem
{
    /// <summary>The largest file size (1 PiB).</summary>
    public const long MaxFileSize = 1L << 50;

    /// <summary>The largest link count of a non-directory.</summary>
    public const uint MaxLinks = 65000;

    /// <summary>
    /// The longest extent any mount writes (<see cref="PosixOptions.MaxExtentBytes"/> is at most this):
    /// an extent overlapping [a, b) then ends in (a, b + cap], which bounds every extent range scan.
    /// </summary>
    public const int MaxExtentCap = 1 << 20;

    /// <summary>How many inode numbers one persisted allocator record reserves.</summary>
    private const ulong InoBatch = 1024;

    /// <summary>Keys deleted per transaction when a file is freed (bounds one journal entry).</summary>
    private const int FreeBatch = 256;

    private readonly IKeyValueStore _kv;
    private readonly IDataStore _data;
    private readonly IFilesystemSpace? _space;
    private readonly PosixOptions _options;
    private readonly InodeLockTable _locks;
    private readonly SixLock _renameLock = new(SixLockOptions.None, "posix-rename");
    private readonly Lock _inoLock = new();
    private readonly ConcurrentDictionary<ulong, int> _openCount = new();
    private ulong _nextIno;
    private ulong _inoLimit;

    private PosixFilesystem(IKeyValueStore kv, IDataStore data, IFilesystemSpace? space, PosixOptions options)
    {
        _kv = kv;
        _data = data;
        _space = space;
        _options = options;
        _locks = new InodeLockTable(options.LockStripes);
    }

    /// <summary>The data store's block size: the unit of <c>st_blksize</c> and of small-write read-modify-write.</summary>
    public int BlockSize => _data.BlockSize;

    /// <summary>
    /// Opens the POSIX layer over a mounted engine: creates the root directory on a fresh filesystem,
    /// loads the inode number allocator, and frees orphaned inodes.
    /// </summary>
    /// <param name="kv">The btrees.</param>
    /// <param name="data">The user data space.</param>
    /// <param name="space">Space accounting for statfs; null reports only what the data store knows (nothing).</param>
    /// <param name="options">Tunables, or null for the defaults.</param>
    /// <exception cref="ArgumentNullException">A store is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static PosixFilesystem Open(IKeyValueStore kv, IDataStore data, IFilesystemSpace? space = null, PosixOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(kv);
        ArgumentNullException.ThrowIfNull(data);
        options ??= new PosixOptions();
        if (options.MaxExtentBytes < data.BlockSize || options.MaxExtentBytes % data.BlockSize != 0 || options.MaxExtentBytes > MaxExtentCap)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxExtentBytes, $"MaxExtentBytes must be a multiple of the block size {data.BlockSize} up to {MaxExtentCap}");
        }

        ArgumentNullException.ThrowIfNull(options.NameHash);
        var fs = new PosixFilesystem(kv, data, space, options);
        fs.Initialise();
        return fs;
    }

    private void Initialise()
    {
        using (var txn = _kv.Begin())
        {
            if (txn.TryGet(BtreeId.Inodes, Inode.Key(0), out var record))
            {
                _nextIno = _inoLimit = BinaryPrimitives.ReadUInt64LittleEndian(record.Span);
            }
            else
            {
                _nextIno = _inoLimit = Inode.RootIno + 1;
            }

            if (!txn.TryGet(BtreeId.Inodes, Inode.Key(Inode.RootIno), out _))
            {
                long now = NowNs();
                var root = new Inode
                {
                    Ino = Inode.RootIno,
                    Mode = FileTypeBits.Directory | 0x1ED, // 0755
                    Nlink = 2,
                    Parent = Inode.RootIno,
                    AtimeNs = now,
                    MtimeNs = now,
                    CtimeNs = now,
                    BtimeNs = now,
                };
                txn.Set(BtreeId.Inodes, Inode.Key(Inode.RootIno), root.Encode());
                Span<byte> limit = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(limit, _inoLimit);
                txn.Set(BtreeId.Inodes, Inode.Key(0), limit);
                txn.Commit();
            }
        }

        if (_options.FreeOrphansOnOpen)
        {
            List<ulong> orphans;
            using (var txn = _kv.Begin())
            {
                orphans = txn.Range(BtreeId.Inodes, Inode.Key(Inode.RootIno + 1), Inode.Key(ulong.MaxValue))
                    .Where(kv => Inode.Decode(kv.Key.Offset, kv.Value.Span).Nlink == 0)
                    .Select(kv => kv.Key.Offset)
                    .ToList();
            }

            foreach (ulong ino in orphans)
            {
                using var locks = _locks.Intent(ino);
                Evict(locks, ino);
            }
        }
    }

    /// <summary>The attributes of <paramref name="ino"/>.</summary>
    /// <exception cref="PosixException">ENOENT: no such inode.</exception>
    public Inode GetAttributes(ulong ino)
    {
        using var l = _locks.Read(ino);
        using var txn = _kv.Begin();
        return LoadInode(txn, ino);
    }

    /// <summary>Changes attributes (chmod, chown, truncate, utimens); the change time becomes now.</summary>
    /// <returns>The new attributes.</returns>
    /// <exception cref="PosixException">ENOENT; EISDIR/EINVAL: a size on a non-regular file; EFBIG.</exception>
    public Inode SetAttributes(ulong ino, SetAttributes change)
    {
        ArgumentNullException.ThrowIfNull(change);
        using var locks = _locks.Intent(ino);
        using var txn = _kv.Begin();
        var inode = LoadInode(txn, ino);
        long now = NowNs();
        var released = new List<DataPointer>();
        if (change.Mode is uint mode)
        {
            inode.Mode = (inode.Mode & FileTypeBits.TypeMask) | (mode & FileTypeBits.PermissionMask);
        }

        if (change.Uid is uint uid)
        {
            inode.Uid = uid;
        }

        if (change.Gid is uint gid)
        {
            inode.Gid = gid;
        }

        if (change.Size is ulong size)
        {
            if (inode.IsDirectory)
            {
                throw new PosixException(Errno.EISDIR, $"truncate of directory {ino}");
            }

            if (!inode.IsRegular)
            {
                throw new PosixException(Errno.EINVAL, $"truncate of non-regular inode {ino}");
            }

            if (size > MaxFileSize)
            {
                throw new PosixException(Errno.EFBIG, $"size {size}");
            }

            if (size < inode.Size)
            {
                inode.AllocatedBytes = (ulong)((long)inode.AllocatedBytes + Punch(txn, ino, size, ulong.MaxValue, released, null));
            }

            if (size != inode.Size)
            {
                inode.Size = size;
                inode.MtimeNs = now;
            }
        }

        if (change.AtimeNow)
        {
            inode.AtimeNs = now;
        }
        else if (change.AtimeNs is long atime)
        {
            inode.AtimeNs = atime;
        }

        if (change.MtimeNow)
        {
            inode.MtimeNs = now;
        }
        else if (change.MtimeNs is long mtime)
        {
            inode.MtimeNs = mtime;
        }

        inode.CtimeNs = now;
        SaveInode(txn, inode);
        ulong seq = Commit(locks, txn);
        ReleaseAll(released, seq);
        return inode;
    }

    /// <summary>Filesystem statistics (statfs).</summary>
    public FilesystemStatistics StatFs()
    {
        long bs = _data.BlockSize;
        long total = _space?.TotalBytes / bs ?? 0;
        long free = Math.Max(0, _space?.FreeBytes / bs ?? 0);
        const long totalInodes = 1L << 32;
        long usedInodes;
        lock (_inoLock)
        {
            usedInodes = (long)_nextIno;
        }

        return new FilesystemStatistics(bs, total, free, totalInodes, Math.Max(0, totalInodes - usedInodes), Dirent.MaxName);
    }

    /// <summary>Counts an open handle of <paramref name="ino"/>: its data stays until the last one is released, even if unlinked.</summary>
    /// <exception cref="PosixException">ENOENT.</exception>
    public Inode OpenFile(ulong ino)
    {
        using var locks = _locks.Intent(ino);
        using var txn = _kv.Begin();
        var inode = LoadInode(txn, ino);
        _openCount.AddOrUpdate(ino, 1, (_, n) => n + 1);
        return inode;
    }

    /// <summary>Releases a handle taken by <see cref="OpenFile"/> (or a create with open); frees the file if it was the last and the file has no link.</summary>
    /// <exception cref="PosixException">EBADF: the inode has no open handle.</exception>
    public void ReleaseFile(ulong ino)
    {
        using var locks = _locks.Intent(ino);
        while (true)
        {
            if (!_openCount.TryGetValue(ino, out int n))
            {
                throw new PosixException(Errno.EBADF, $"release of inode {ino} that is not open");
            }

            if (n > 1 ? _openCount.TryUpdate(ino, n - 1, n) : _openCount.TryRemove(new KeyValuePair<ulong, int>(ino, n)))
            {
                if (n == 1)
                {
                    EvictIfUnlinked(locks, ino);
                }

                return;
            }
        }
    }

    /// <summary>How many handles of <paramref name="ino"/> are open.</summary>
    public int OpenHandles(ulong ino) => _openCount.TryGetValue(ino, out int n) ? n : 0;

    /// <summary>Makes every completed operation durable (fsync, fdatasync, syncfs: the journal makes no finer distinction).</summary>
    /// <exception cref="FilesystemException">The engine failed to flush.</exception>
    public void Sync() => Wait(_kv.FlushAsync(0));

    private static long NowNs() => (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) * 100;

    private static Inode LoadInode(IKeyValueTransaction txn, ulong ino)
    {
        if (ino == 0 || !txn.TryGet(BtreeId.Inodes, Inode.Key(ino), out var value))
        {
            throw new PosixException(Errno.ENOENT, $"no inode {ino}");
        }

        return Inode.Decode(ino, value.Span);
    }

    private static void SaveInode(IKeyValueTransaction txn, Inode inode) =>
        txn.Set(BtreeId.Inodes, Inode.Key(inode.Ino), inode.Encode());

    private static Inode Update(IKeyValueTransaction txn, ulong ino, Action<Inode> change)
    {
        var inode = LoadInode(txn, ino);
        change(inode);
        SaveInode(txn, inode);
        return inode;
    }

    /// <summary>Commits under write on every held stripe; write is dropped again before returning (intent stays).</summary>
    private static ulong Commit(InodeLockTable.IntentSet locks, IKeyValueTransaction txn)
    {
        locks.Write();
        try
        {
            return txn.Commit();
        }
        finally
        {
            locks.EndWrite();
        }
    }

    private void ReleaseAll(List<DataPointer> pointers, ulong seq)
    {
        foreach (var p in pointers)
        {
            _data.Release(p, seq);
        }
    }

    private ulong AllocateIno()
    {
        lock (_inoLock)
        {
            if (_nextIno >= _inoLimit)
            {
                ulong limit = _nextIno + InoBatch;
                using var txn = _kv.Begin();
                Span<byte> value = stackalloc byte[8];
                BinaryPrimitives.WriteUInt64LittleEndian(value, limit);
                txn.Set(BtreeId.Inodes, Inode.Key(0), value);
                txn.Commit();
                _inoLimit = limit;
            }

            return _nextIno++;
        }
    }

    private static void Wait(ValueTask task)
    {
        if (task.IsCompletedSuccessfully)
        {
            return;
        }

        task.AsTask().GetAwaiter().GetResult();
    }

    private static T Wait<T>(ValueTask<T> task) =>
        task.IsCompletedSuccessfully ? task.Result : task.AsTask().GetAwaiter().GetResult();
}
