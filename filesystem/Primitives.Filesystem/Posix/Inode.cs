using System.Buffers.Binary;

using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// An inode as stored in <see cref="BtreeId.Inodes"/> at <see cref="Inode.Key"/> = (0, ino): type and
/// permissions, owner, link count, size, timestamps in nanoseconds since the Unix epoch, the parent
/// of a directory, and a symbolic link's target inline.
/// </summary>
/// <remarks>
/// <para>Encoding (little-endian, <see cref="HeaderSize"/> bytes then the link target):
/// 0 version (u8 = 1), 1 reserved (u8), 2 target length (u16), 4 mode (u32), 8 uid (u32),
/// 12 gid (u32), 16 nlink (u32), 20 flags (u32), 24 size (u64), 32 atime, 40 mtime, 48 ctime,
/// 56 btime (i64 ns), 64 parent (u64, directories only), 72 rdev (u64), 80 generation (u64),
/// 88 allocated bytes (u64: the sum of the file's extent lengths, for <c>st_blocks</c>), 96 target.</para>
/// <para>Inode 0 is not an inode: key (0, 0) holds the inode number allocator's high-water mark
/// (see <see cref="PosixFilesystem"/>). The root directory is inode <see cref="RootIno"/>.</para>
/// </remarks>
public sealed class Inode
{
    /// <summary>The root directory's inode number (FUSE_ROOT_ID).</summary>
    public const ulong RootIno = 1;

    /// <summary>Size of the fixed part of the encoding.</summary>
    public const int HeaderSize = 96;

    /// <summary>The longest symbolic link target that fits inline.</summary>
    public const int MaxSymlinkTarget = IKeyValueTransaction.MaxValueSize - HeaderSize;

    private const byte Version = 1;

    /// <summary>The inode number.</summary>
    public ulong Ino { get; set; }

    /// <summary>File type and permission bits (<see cref="FileTypeBits"/>).</summary>
    public uint Mode { get; set; }

    /// <summary>Owner user id.</summary>
    public uint Uid { get; set; }

    /// <summary>Owner group id.</summary>
    public uint Gid { get; set; }

    /// <summary>Number of directory entries naming this inode (directories: 2 + subdirectories).</summary>
    public uint Nlink { get; set; }

    /// <summary>Inode flags (reserved, stored as given).</summary>
    public uint Flags { get; set; }

    /// <summary>File size in bytes (a symbolic link: the target length).</summary>
    public ulong Size { get; set; }

    /// <summary>Last access, ns since the epoch.</summary>
    public long AtimeNs { get; set; }

    /// <summary>Last data modification, ns since the epoch.</summary>
    public long MtimeNs { get; set; }

    /// <summary>Last status change, ns since the epoch.</summary>
    public long CtimeNs { get; set; }

    /// <summary>Creation, ns since the epoch.</summary>
    public long BtimeNs { get; set; }

    /// <summary>The parent directory of a directory (0 for other types: they may have many names).</summary>
    public ulong Parent { get; set; }

    /// <summary>Device number of a character or block device node.</summary>
    public ulong Rdev { get; set; }

    /// <summary>Generation number (for NFS-style handles; 0 here since inode numbers are never reused).</summary>
    public ulong Generation { get; set; }

    /// <summary>Bytes covered by the file's extents (holes excluded).</summary>
    public ulong AllocatedBytes { get; set; }

    /// <summary>The target of a symbolic link, otherwise empty.</summary>
    public byte[] SymlinkTarget { get; set; } = [];

    /// <summary>Whether this is a directory.</summary>
    public bool IsDirectory => FileTypeBits.IsDirectory(Mode);

    /// <summary>Whether this is a regular file.</summary>
    public bool IsRegular => FileTypeBits.IsRegular(Mode);

    /// <summary>The key of inode <paramref name="ino"/> in <see cref="BtreeId.Inodes"/>.</summary>
    public static Bpos Key(ulong ino) => new(0, ino);

    /// <summary>A copy of this inode.</summary>
    public Inode Clone()
    {
        var copy = (Inode)MemberwiseClone();
        copy.SymlinkTarget = (byte[])SymlinkTarget.Clone();
        return copy;
    }

    /// <summary>The encoded value.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[HeaderSize + SymlinkTarget.Length];
        Span<byte> b = buffer;
        b[0] = Version;
        BinaryPrimitives.WriteUInt16LittleEndian(b[2..], checked((ushort)SymlinkTarget.Length));
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], Mode);
        BinaryPrimitives.WriteUInt32LittleEndian(b[8..], Uid);
        BinaryPrimitives.WriteUInt32LittleEndian(b[12..], Gid);
        BinaryPrimitives.WriteUInt32LittleEndian(b[16..], Nlink);
        BinaryPrimitives.WriteUInt32LittleEndian(b[20..], Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(b[24..], Size);
        BinaryPrimitives.WriteInt64LittleEndian(b[32..], AtimeNs);
        BinaryPrimitives.WriteInt64LittleEndian(b[40..], MtimeNs);
        BinaryPrimitives.WriteInt64LittleEndian(b[48..], CtimeNs);
        BinaryPrimitives.WriteInt64LittleEndian(b[56..], BtimeNs);
        BinaryPrimitives.WriteUInt64LittleEndian(b[64..], Parent);
        BinaryPrimitives.WriteUInt64LittleEndian(b[72..], Rdev);
        BinaryPrimitives.WriteUInt64LittleEndian(b[80..], Generation);
        BinaryPrimitives.WriteUInt64LittleEndian(b[88..], AllocatedBytes);
        SymlinkTarget.CopyTo(b[HeaderSize..]);
        return buffer;
    }

    /// <summary>Decodes the value of inode <paramref name="ino"/>.</summary>
    /// <exception cref="FilesystemException">The value is not an inode of this version.</exception>
    public static Inode Decode(ulong ino, ReadOnlySpan<byte> b)
    {
        if (b.Length < HeaderSize || b[0] != Version)
        {
            throw new FilesystemException($"corrupt inode {ino}: {b.Length} bytes, version {(b.Length > 0 ? b[0] : -1)}");
        }

        int targetLength = BinaryPrimitives.ReadUInt16LittleEndian(b[2..]);
        if (b.Length != HeaderSize + targetLength)
        {
            throw new FilesystemException($"corrupt inode {ino}: {b.Length} bytes for a {targetLength}-byte link target");
        }

        return new Inode
        {
            Ino = ino,
            Mode = BinaryPrimitives.ReadUInt32LittleEndian(b[4..]),
            Uid = BinaryPrimitives.ReadUInt32LittleEndian(b[8..]),
            Gid = BinaryPrimitives.ReadUInt32LittleEndian(b[12..]),
            Nlink = BinaryPrimitives.ReadUInt32LittleEndian(b[16..]),
            Flags = BinaryPrimitives.ReadUInt32LittleEndian(b[20..]),
            Size = BinaryPrimitives.ReadUInt64LittleEndian(b[24..]),
            AtimeNs = BinaryPrimitives.ReadInt64LittleEndian(b[32..]),
            MtimeNs = BinaryPrimitives.ReadInt64LittleEndian(b[40..]),
            CtimeNs = BinaryPrimitives.ReadInt64LittleEndian(b[48..]),
            BtimeNs = BinaryPrimitives.ReadInt64LittleEndian(b[56..]),
            Parent = BinaryPrimitives.ReadUInt64LittleEndian(b[64..]),
            Rdev = BinaryPrimitives.ReadUInt64LittleEndian(b[72..]),
            Generation = BinaryPrimitives.ReadUInt64LittleEndian(b[80..]),
            AllocatedBytes = BinaryPrimitives.ReadUInt64LittleEndian(b[88..]),
            SymlinkTarget = b[HeaderSize..].ToArray(),
        };
    }
}
