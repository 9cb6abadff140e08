using System.Buffers;

using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Posix;

public sealed partial class PosixFilesystem
{
    /// <summary>Reads file bytes from <paramref name="offset"/> into <paramref name="destination"/>; holes read as zeros.</summary>
    /// <returns>The bytes read: fewer than asked at the end of the file, 0 at or past it.</returns>
    /// <exception cref="PosixException">ENOENT; EISDIR; EINVAL: not a regular file or a negative offset.</exception>
    public int Read(ulong ino, long offset, Span<byte> destination)
    {
        if (offset < 0)
        {
            throw new PosixException(Errno.EINVAL, $"negative offset {offset}");
        }

        using var l = _locks.Read(ino);
        using var txn = _kv.Begin();
        var inode = LoadRegular(txn, ino);
        if ((ulong)offset >= inode.Size || destination.Length == 0)
        {
            return 0;
        }

        int n = (int)Math.Min((ulong)destination.Length, inode.Size - (ulong)offset);
        ReadRange(txn, ino, (ulong)offset, destination[..n]);
        return n;
    }

    /// <summary>
    /// Writes <paramref name="data"/> at <paramref name="offset"/>, extending the file as needed (a
    /// gap before the offset becomes a hole). The write is one transaction: new data goes to new
    /// space and the old extents it covers are released at the commit's sequence.
    /// </summary>
    /// <returns>The bytes written (all of them).</returns>
    /// <exception cref="PosixException">ENOENT; EISDIR; EINVAL; EFBIG; ENOSPC.</exception>
    public int Write(ulong ino, long offset, ReadOnlySpan<byte> data)
    {
        if (offset < 0)
        {
            throw new PosixException(Errno.EINVAL, $"negative offset {offset}");
        }

        if (offset + (long)data.Length > MaxFileSize)
        {
            throw new PosixException(Errno.EFBIG, $"write up to {offset + (long)data.Length} beyond {MaxFileSize}");
        }

        if (data.Length == 0)
        {
            return 0;
        }

        using var locks = _locks.Intent(ino);
        using var txn = _kv.Begin();
        var inode = LoadRegular(txn, ino);
        ulong start = (ulong)offset, end = start + (ulong)data.Length;
        ulong bs = (ulong)_data.BlockSize;

        // Small and unaligned writes rewrite whole blocks: the region is the write widened to block
        // boundaries (but not past the end of the file), filled with the current bytes around it.
        ulong regionStart = start / bs * bs;
        ulong regionEnd = Math.Min((end + bs - 1) / bs * bs, Math.Max(inode.Size, end));
        int regionLength = checked((int)(regionEnd - regionStart));
        byte[] buffer = ArrayPool<byte>.Shared.Rent(regionLength);
        var released = new List<DataPointer>();
        var written = new List<DataPointer>();
        try
        {
            Span<byte> region = buffer.AsSpan(0, regionLength);
            if (regionStart < start)
            {
                ReadRange(txn, ino, regionStart, region[..(int)(start - regionStart)]);
            }

            if (end < regionEnd)
            {
                ReadRange(txn, ino, end, region[(int)(end - regionStart)..]);
            }

            data.CopyTo(region[(int)(start - regionStart)..]);
            long allocated = Punch(txn, ino, regionStart, regionEnd, released, written);
            for (ulong pos = regionStart; pos < regionEnd;)
            {
                int length = (int)Math.Min((ulong)_options.MaxExtentBytes, regionEnd - pos);
                var pointer = Wait(_data.WriteAsync(buffer.AsMemory((int)(pos - regionStart), length)));
                written.Add(pointer);
                pos += (ulong)length;
                txn.Set(BtreeId.Extents, new Bpos(ino, pos), new Extent(pointer, 0, (uint)length).Encode());
                allocated += length;
            }

            long now = NowNs();
            inode.Size = Math.Max(inode.Size, end);
            inode.AllocatedBytes = (ulong)((long)inode.AllocatedBytes + allocated);
            inode.MtimeNs = inode.CtimeNs = now;
            SaveInode(txn, inode);
            ulong seq = Commit(locks, txn);
            written.Clear();
            ReleaseAll(released, seq);
            return data.Length;
        }
        finally
        {
            // A failed transaction leaves its new data unreferenced: give the space back.
            ReleaseAll(written, 0);
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Punches a hole over [<paramref name="offset"/>, offset + <paramref name="length"/>) (fallocate PUNCH_HOLE | KEEP_SIZE).</summary>
    /// <exception cref="PosixException">ENOENT; EISDIR; EINVAL.</exception>
    public void PunchHole(ulong ino, long offset, long length)
    {
        if (offset < 0 || length <= 0)
        {
            throw new PosixException(Errno.EINVAL, $"punch [{offset}, +{length})");
        }

        using var locks = _locks.Intent(ino);
        using var txn = _kv.Begin();
        var inode = LoadRegular(txn, ino);
        var released = new List<DataPointer>();
        var written = new List<DataPointer>();
        try
        {
            ulong end = (ulong)offset + (ulong)length < (ulong)offset ? ulong.MaxValue : (ulong)offset + (ulong)length;
            inode.AllocatedBytes = (ulong)((long)inode.AllocatedBytes + Punch(txn, ino, (ulong)offset, end, released, written));
            inode.MtimeNs = inode.CtimeNs = NowNs();
            SaveInode(txn, inode);
            ulong seq = Commit(locks, txn);
            written.Clear();
            ReleaseAll(released, seq);
        }
        finally
        {
            ReleaseAll(written, 0);
        }
    }

    /// <summary>
    /// Removes the bytes [<paramref name="from"/>, <paramref name="to"/>) from the extents of
    /// <paramref name="ino"/>: extents inside go (their pointers into <paramref name="released"/>),
    /// extents across an edge are clipped (keeping their pointer), and an extent across both edges
    /// keeps its pointer for its larger side and has the smaller side copied to new space (into
    /// <paramref name="written"/>), so every pointer stays referenced by one extent.
    /// </summary>
    /// <returns>The change of the allocated bytes (zero or negative).</returns>
    private long Punch(IKeyValueTransaction txn, ulong ino, ulong from, ulong to, List<DataPointer> released, List<DataPointer>? written)
    {
        long delta = 0;
        var overlapping = txn.Range(BtreeId.Extents, new Bpos(ino, from + 1), new Bpos(ino, SaturatingAdd(to, MaxExtentCap)))
            .Select(kv => (End: kv.Key.Offset, Extent: Extent.Decode(kv.Value.Span)))
            .TakeWhile(e => e.End - e.Extent.Length < to)
            .ToList();
        foreach (var (extEnd, ext) in overlapping)
        {
            ulong extStart = extEnd - ext.Length;
            if (extStart >= from && extEnd <= to)
            {
                txn.Delete(BtreeId.Extents, new Bpos(ino, extEnd));
                released.Add(ext.Pointer);
                delta -= ext.Length;
            }
            else if (extStart < from && extEnd > to)
            {
                // A split: one side keeps the pointer, the smaller side is copied to new space.
                var list = written ?? throw new InvalidOperationException("a split needs a written list");
                if (from - extStart <= extEnd - to)
                {
                    byte[] head = new byte[from - extStart];
                    ReadExtent(ext, 0, head);
                    var pointer = Wait(_data.WriteAsync(head));
                    list.Add(pointer);
                    txn.Set(BtreeId.Extents, new Bpos(ino, from), new Extent(pointer, 0, (uint)head.Length).Encode());
                    uint cut = (uint)(to - extStart);
                    txn.Set(BtreeId.Extents, new Bpos(ino, extEnd), (ext with { DataOffset = ext.DataOffset + cut, Length = ext.Length - cut }).Encode());
                }
                else
                {
                    byte[] tail = new byte[extEnd - to];
                    ReadExtent(ext, (uint)(to - extStart), tail);
                    var pointer = Wait(_data.WriteAsync(tail));
                    list.Add(pointer);
                    txn.Set(BtreeId.Extents, new Bpos(ino, from), (ext with { Length = (uint)(from - extStart) }).Encode());
                    txn.Set(BtreeId.Extents, new Bpos(ino, extEnd), new Extent(pointer, 0, (uint)tail.Length).Encode());
                }

                delta -= (long)(to - from);
            }
            else if (extStart < from)
            {
                txn.Delete(BtreeId.Extents, new Bpos(ino, extEnd));
                txn.Set(BtreeId.Extents, new Bpos(ino, from), (ext with { Length = (uint)(from - extStart) }).Encode());
                delta -= (long)(extEnd - from);
            }
            else
            {
                uint cut = (uint)(to - extStart);
                txn.Set(BtreeId.Extents, new Bpos(ino, extEnd), (ext with { DataOffset = ext.DataOffset + cut, Length = ext.Length - cut }).Encode());
                delta -= cut;
            }
        }

        return delta;
    }

    /// <summary>Fills <paramref name="destination"/> with the file bytes from <paramref name="offset"/>, zeros where there is no extent.</summary>
    private void ReadRange(IKeyValueTransaction txn, ulong ino, ulong offset, Span<byte> destination)
    {
        destination.Clear();
        ulong end = offset + (ulong)destination.Length;
        foreach (var (key, value) in txn.Range(BtreeId.Extents, new Bpos(ino, offset + 1), new Bpos(ino, SaturatingAdd(end, MaxExtentCap))))
        {
            var ext = Extent.Decode(value.Span);
            ulong extStart = key.Offset - ext.Length;
            if (extStart >= end)
            {
                break;
            }

            ulong from = Math.Max(extStart, offset);
            ulong to = Math.Min(key.Offset, end);
            ReadExtent(ext, (uint)(from - extStart), destination.Slice((int)(from - offset), (int)(to - from)));
        }
    }

    /// <summary>Copies the extent's bytes from <paramref name="skip"/> on into <paramref name="destination"/>.</summary>
    private void ReadExtent(Extent ext, uint skip, Span<byte> destination)
    {
        int length = (int)ext.Pointer.Length;
        byte[] buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            Wait(_data.ReadAsync(ext.Pointer, buffer.AsMemory(0, length)));
            buffer.AsSpan((int)(ext.DataOffset + skip), destination.Length).CopyTo(destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ulong SaturatingAdd(ulong a, ulong b) => a + b < a ? ulong.MaxValue : a + b;

    private static Inode LoadRegular(IKeyValueTransaction txn, ulong ino)
    {
        var inode = LoadInode(txn, ino);
        if (inode.IsDirectory)
        {
            throw new PosixException(Errno.EISDIR, $"inode {ino} is a directory");
        }

        if (!inode.IsRegular)
        {
            throw new PosixException(Errno.EINVAL, $"inode {ino} is not a regular file");
        }

        return inode;
    }

    /// <summary>Frees <paramref name="ino"/> if it has no link and no open handle (the caller holds its intent).</summary>
    private void EvictIfUnlinked(InodeLockTable.IntentSet locks, ulong ino)
    {
        if (OpenHandles(ino) > 0)
        {
            return;
        }

        using (var txn = _kv.Begin())
        {
            if (!txn.TryGet(BtreeId.Inodes, Inode.Key(ino), out var value) || Inode.Decode(ino, value.Span).Nlink > 0)
            {
                return;
            }
        }

        Evict(locks, ino);
    }

    /// <summary>Deletes an inode's extents (releasing their data) and xattrs in bounded transactions, then the inode.</summary>
    private void Evict(InodeLockTable.IntentSet locks, ulong ino)
    {
        foreach (var btree in (ReadOnlySpan<BtreeId>)[BtreeId.Extents, BtreeId.Xattrs])
        {
            while (true)
            {
                using var txn = _kv.Begin();
                var batch = txn.Range(btree, new Bpos(ino, 0), new Bpos(ino, ulong.MaxValue)).Take(FreeBatch).ToList();
                if (batch.Count == 0)
                {
                    break;
                }

                var released = new List<DataPointer>();
                foreach (var (key, value) in batch)
                {
                    txn.Delete(btree, key);
                    if (btree == BtreeId.Extents)
                    {
                        released.Add(Extent.Decode(value.Span).Pointer);
                    }
                }

                ulong seq = Commit(locks, txn);
                ReleaseAll(released, seq);
            }
        }

        using (var txn = _kv.Begin())
        {
            txn.Delete(BtreeId.Inodes, Inode.Key(ino));
            Commit(locks, txn);
        }
    }
}
