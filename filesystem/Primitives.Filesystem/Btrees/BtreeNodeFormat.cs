using System.Buffers.Binary;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The on-disk node format. A node image is exactly the node size: a 64-byte header, then the
/// bsets, then zeros.
/// </summary>
/// <remarks>
/// Header: magic u32 "BTND" (0), format version u16 (4), btree id u8 (6), level u8 (7), node seq u64
/// (8: the store-wide write version of this image, named by the parent's pointer), min inode/offset u64 (16, 24), max inode/offset u64 (32, 40), bset count u16 (48),
/// reserved (50-59), CRC32C of bytes 0-59 (60).
/// Bset: magic u32 "BSET" (0), bset seq u32 (4), journal seq u64 (8), key count u32 (16), key bytes u32
/// (20), reserved u32 (24), CRC32C (28) of header bytes 0-27 followed by the key bytes; then the keys
/// (<see cref="BtreeKeyCodec"/>), sorted strictly ascending. Interior nodes hold one bset of child
/// pointer keys (position = child max, value = <see cref="ChildPointer"/>). All integers little endian.
/// </remarks>
internal static class BtreeNodeFormat
{
    public const uint NodeMagic = 0x444E5442; // "BTND"
    public const uint BsetMagic = 0x54455342; // "BSET"
    public const ushort Version = 2; // 2: child pointers carry the child's write version

    /// <summary>Encodes <paramref name="node"/> into a <paramref name="nodeSize"/>-byte image (caller holds at least intent).</summary>
    /// <exception cref="InvalidOperationException">The node does not fit (a bug: inserts check room first).</exception>
    public static byte[] Serialize(BtreeNode node, int nodeSize)
    {
        byte[] image = new byte[nodeSize];
        Span<byte> s = image;
        BinaryPrimitives.WriteUInt32LittleEndian(s, NodeMagic);
        BinaryPrimitives.WriteUInt16LittleEndian(s[4..], Version);
        s[6] = (byte)node.Btree;
        s[7] = checked((byte)node.Level);
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], node.NodeSeq);
        WritePos(s[16..], node.Min);
        WritePos(s[32..], node.Max);

        int at = BtreeNode.HeaderSize;
        int count = 0;
        if (node.IsLeaf)
        {
            foreach (Bset bset in node.Bsets)
            {
                at = WriteBset(image, at, bset.Seq, bset.JournalSeq, bset.Keys, node);
                count++;
            }
        }
        else
        {
            var keys = new List<BtreeKey>(node.Children.Count);
            foreach (ChildRef child in node.Children)
            {
                keys.Add(child.ToKey());
            }

            WriteBset(image, at, 0, node.JournalSeq, keys, node);
            count = 1;
        }

        BinaryPrimitives.WriteUInt16LittleEndian(s[48..], checked((ushort)count));
        BinaryPrimitives.WriteUInt32LittleEndian(s[60..], Crc32C.Compute(s[..60]));
        return image;
    }

    private static int WriteBset(byte[] image, int at, uint seq, ulong journalSeq, IReadOnlyList<BtreeKey> keys, BtreeNode node)
    {
        int keyBytes = 0;
        foreach (BtreeKey key in keys)
        {
            keyBytes += BtreeKeyCodec.EncodedSize(key);
        }

        if (at + BtreeNode.BsetHeaderSize + keyBytes > image.Length)
        {
            throw new InvalidOperationException($"{node} does not fit in {image.Length} bytes");
        }

        Span<byte> h = image.AsSpan(at, BtreeNode.BsetHeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(h, BsetMagic);
        BinaryPrimitives.WriteUInt32LittleEndian(h[4..], seq);
        BinaryPrimitives.WriteUInt64LittleEndian(h[8..], journalSeq);
        BinaryPrimitives.WriteUInt32LittleEndian(h[16..], (uint)keys.Count);
        BinaryPrimitives.WriteUInt32LittleEndian(h[20..], (uint)keyBytes);
        int k = at + BtreeNode.BsetHeaderSize;
        foreach (BtreeKey key in keys)
        {
            k += BtreeKeyCodec.Write(image.AsSpan(k), key);
        }

        uint crc = Crc32C.Append(uint.MaxValue, h[..28]);
        crc = ~Crc32C.Append(crc, image.AsSpan(at + BtreeNode.BsetHeaderSize, keyBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(h[28..], crc);
        return k;
    }

    /// <summary>
    /// Decodes and verifies a node image read from <paramref name="location"/>. Bsets whose journal
    /// sequence is beyond <paramref name="maxValidJournalSeq"/> (not durable when the filesystem
    /// stopped) are ignored. Interior nodes come back with child entries whose nodes are not loaded.
    /// </summary>
    /// <exception cref="BtreeNodeCorruptException">The image fails a check (the offset names the bad structure).</exception>
    public static BtreeNode Deserialize(BtreeStore store, ReadOnlySpan<byte> image, NodeLocation location, BtreeId btree, int level, Bpos min, Bpos max, ulong maxValidJournalSeq)
    {
        long baseOffset = location.Offset;
        BtreeNodeCorruptException Corrupt(int at, string reason) => new(btree, level, baseOffset + at, reason);

        if (image.Length < BtreeNode.HeaderSize)
        {
            throw Corrupt(0, $"image of {image.Length} bytes is shorter than a node header");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(image) != NodeMagic)
        {
            throw Corrupt(0, "bad node magic");
        }

        if (BinaryPrimitives.ReadUInt32LittleEndian(image[60..]) != Crc32C.Compute(image[..60]))
        {
            throw Corrupt(60, "node header checksum mismatch");
        }

        ushort version = BinaryPrimitives.ReadUInt16LittleEndian(image[4..]);
        if (version != Version)
        {
            throw Corrupt(4, $"unsupported node format version {version}");
        }

        if (image[6] != (byte)btree || image[7] != level)
        {
            throw Corrupt(6, $"node belongs to btree {image[6]} level {image[7]}");
        }

        Bpos nodeMin = ReadPos(image[16..]), nodeMax = ReadPos(image[32..]);
        if (nodeMin != min || nodeMax != max)
        {
            throw Corrupt(16, $"node covers [{nodeMin}, {nodeMax}], its pointer says [{min}, {max}]");
        }

        ulong nodeSeq = BinaryPrimitives.ReadUInt64LittleEndian(image[8..]);
        int bsetCount = BinaryPrimitives.ReadUInt16LittleEndian(image[48..]);
        int at = BtreeNode.HeaderSize;
        var bsets = new List<Bset>(bsetCount);
        for (int b = 0; b < bsetCount; b++)
        {
            if (at + BtreeNode.BsetHeaderSize > image.Length)
            {
                throw Corrupt(at, $"bset {b} header runs past the node end");
            }

            ReadOnlySpan<byte> h = image.Slice(at, BtreeNode.BsetHeaderSize);
            if (BinaryPrimitives.ReadUInt32LittleEndian(h) != BsetMagic)
            {
                throw Corrupt(at, $"bad bset {b} magic");
            }

            uint seq = BinaryPrimitives.ReadUInt32LittleEndian(h[4..]);
            ulong journalSeq = BinaryPrimitives.ReadUInt64LittleEndian(h[8..]);
            int keyCount = (int)BinaryPrimitives.ReadUInt32LittleEndian(h[16..]);
            int keyBytes = (int)BinaryPrimitives.ReadUInt32LittleEndian(h[20..]);
            if (keyBytes < 0 || keyCount < 0 || at + BtreeNode.BsetHeaderSize + keyBytes > image.Length)
            {
                throw Corrupt(at, $"bset {b} of {keyBytes} key bytes runs past the node end");
            }

            ReadOnlySpan<byte> body = image.Slice(at + BtreeNode.BsetHeaderSize, keyBytes);
            uint crc = ~Crc32C.Append(Crc32C.Append(uint.MaxValue, h[..28]), body);
            if (crc != BinaryPrimitives.ReadUInt32LittleEndian(h[28..]))
            {
                throw Corrupt(at, $"bset {b} checksum mismatch");
            }

            int bsetAt = at;
            at += BtreeNode.BsetHeaderSize + keyBytes;
            if (journalSeq > maxValidJournalSeq)
            {
                // Written before its journal entry became durable, and the filesystem stopped before it did.
                continue;
            }

            var keys = new List<BtreeKey>(keyCount);
            int k = 0;
            for (int i = 0; i < keyCount; i++)
            {
                if (!BtreeKeyCodec.TryRead(body[k..], out BtreeKey key, out int consumed))
                {
                    throw Corrupt(bsetAt + BtreeNode.BsetHeaderSize + k, $"bad key {i} in bset {b}");
                }

                if (key.Pos < nodeMin || key.Pos > nodeMax || (keys.Count > 0 && keys[^1].Pos >= key.Pos))
                {
                    throw Corrupt(bsetAt + BtreeNode.BsetHeaderSize + k, $"key {key.Pos} out of order or outside the node in bset {b}");
                }

                keys.Add(key);
                k += consumed;
            }

            if (k != keyBytes)
            {
                throw Corrupt(bsetAt, $"bset {b} has {keyBytes - k} trailing bytes");
            }

            bsets.Add(new Bset(seq, keys, journalSeq, isOpen: false));
        }

        BtreeNode node;
        if (level == 0)
        {
            node = BtreeNode.NewLeaf(store, btree, nodeMin, nodeMax, bsets);
        }
        else
        {
            if (bsets.Count != 1)
            {
                throw Corrupt(BtreeNode.HeaderSize, $"interior node has {bsets.Count} valid bsets, expected 1");
            }

            var children = new List<ChildRef>(bsets[0].Count);
            Bpos expectMin = nodeMin;
            foreach (BtreeKey key in bsets[0].Keys)
            {
                if (key.IsWhiteout || !ChildPointer.TryDecode(key.Value.Span, out ChildPointer pointer) || pointer.Min != expectMin || pointer.Min > key.Pos)
                {
                    throw Corrupt(BtreeNode.HeaderSize, $"bad child pointer at {key.Pos}");
                }

                children.Add(new ChildRef(pointer.Min, key.Pos, pointer.Location, pointer.Version, null));
                expectMin = Successor(key.Pos);
            }

            if (children.Count == 0 || children[^1].Max != nodeMax)
            {
                throw Corrupt(BtreeNode.HeaderSize, "child pointers do not cover the node's range");
            }

            node = BtreeNode.NewInterior(store, btree, level, nodeMin, nodeMax, children);
            node.JournalSeq = bsets[0].JournalSeq;
        }

        node.NodeSeq = nodeSeq;
        node.Location = location;
        return node;
    }

    /// <summary>The position right after <paramref name="pos"/> (Max stays Max).</summary>
    public static Bpos Successor(Bpos pos) =>
        pos.Offset != ulong.MaxValue ? new Bpos(pos.Inode, pos.Offset + 1)
        : pos.Inode != ulong.MaxValue ? new Bpos(pos.Inode + 1, 0)
        : pos;

    private static void WritePos(Span<byte> s, Bpos pos)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(s, pos.Inode);
        BinaryPrimitives.WriteUInt64LittleEndian(s[8..], pos.Offset);
    }

    private static Bpos ReadPos(ReadOnlySpan<byte> s) =>
        new(BinaryPrimitives.ReadUInt64LittleEndian(s), BinaryPrimitives.ReadUInt64LittleEndian(s[8..]));
}
