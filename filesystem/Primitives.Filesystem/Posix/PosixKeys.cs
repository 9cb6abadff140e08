using System.Buffers.Binary;

using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// Allocation-free readers of the POSIX layer's values, for fsck: the fields it cross-checks,
/// read straight from the encoded bytes (see <see cref="Inode"/>, <see cref="Dirent"/>,
/// <see cref="Extent"/> for the full layouts). Each returns false on a value of the wrong shape.
/// </summary>
public static class PosixKeys
{
    /// <summary>The key (0, 0) of <see cref="BtreeId.Inodes"/>: the inode number allocator's record, not an inode.</summary>
    public static Bpos InodeAllocatorKey => Inode.Key(0);

    /// <summary>The inode number stored at an <see cref="BtreeId.Inodes"/> key (0 for the allocator record).</summary>
    public static ulong InodeNumberOf(Bpos inodeKey) => inodeKey.Offset;

    /// <summary>Reads an inode value's link count.</summary>
    public static bool TryReadInodeLinkCount(ReadOnlySpan<byte> value, out uint nlink)
    {
        nlink = 0;
        if (!IsInode(value))
        {
            return false;
        }

        nlink = BinaryPrimitives.ReadUInt32LittleEndian(value[16..]);
        return true;
    }

    /// <summary>Reads an inode value's mode (type and permission bits, <see cref="FileTypeBits"/>).</summary>
    public static bool TryReadInodeMode(ReadOnlySpan<byte> value, out uint mode)
    {
        mode = 0;
        if (!IsInode(value))
        {
            return false;
        }

        mode = BinaryPrimitives.ReadUInt32LittleEndian(value[4..]);
        return true;
    }

    /// <summary>Reads an inode value's size in bytes.</summary>
    public static bool TryReadInodeSize(ReadOnlySpan<byte> value, out ulong size)
    {
        size = 0;
        if (!IsInode(value))
        {
            return false;
        }

        size = BinaryPrimitives.ReadUInt64LittleEndian(value[24..]);
        return true;
    }

    /// <summary>Reads a directory entry value's target inode number.</summary>
    public static bool TryReadDirentTarget(ReadOnlySpan<byte> value, out ulong inode)
    {
        inode = 0;
        if (value.Length < 10 || value.Length != 10 + value[9])
        {
            return false;
        }

        inode = BinaryPrimitives.ReadUInt64LittleEndian(value);
        return true;
    }

    /// <summary>Whether an <see cref="BtreeId.Extents"/> value has the extent shape (its first 20 bytes are the engine's DataPointer encoding).</summary>
    public static bool IsExtent(ReadOnlySpan<byte> value) => value.Length == Extent.EncodedSize;

    private static bool IsInode(ReadOnlySpan<byte> value) =>
        value.Length >= Inode.HeaderSize && value[0] == 1 && value.Length == Inode.HeaderSize + BinaryPrimitives.ReadUInt16LittleEndian(value[2..]);
}
