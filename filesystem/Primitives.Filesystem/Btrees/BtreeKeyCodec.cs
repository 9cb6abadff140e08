using System.Numerics;

namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The compact binary encoding of a <see cref="BtreeKey"/>, used in bsets and journal records:
/// a flags byte (bit 0: whiteout), then the inode, the offset and the value length as unsigned
/// LEB128 varints, then the value bytes. The btree id is not part of the key encoding (a node header
/// or a journal record carries it).
/// </summary>
public static class BtreeKeyCodec
{
    /// <summary>Flag bit of a whiteout.</summary>
    public const byte WhiteoutFlag = 1;

    /// <summary>The largest encoding of a key with a value of <paramref name="maxValueSize"/> bytes.</summary>
    public static int MaxEncodedSize(int maxValueSize) => 1 + 10 + 10 + VarintSize((ulong)maxValueSize) + maxValueSize;

    /// <summary>The encoded size of <paramref name="key"/>.</summary>
    public static int EncodedSize(in BtreeKey key) =>
        1 + VarintSize(key.Pos.Inode) + VarintSize(key.Pos.Offset) + VarintSize((ulong)key.Value.Length) + key.Value.Length;

    /// <summary>Writes <paramref name="key"/> at the start of <paramref name="destination"/>; returns the bytes written.</summary>
    /// <exception cref="ArgumentException">The destination is too small.</exception>
    public static int Write(Span<byte> destination, in BtreeKey key)
    {
        int size = EncodedSize(key);
        if (destination.Length < size)
        {
            throw new ArgumentException($"the key needs {size} bytes, the destination has {destination.Length}", nameof(destination));
        }

        destination[0] = key.IsWhiteout ? WhiteoutFlag : (byte)0;
        int at = 1;
        at += WriteVarint(destination[at..], key.Pos.Inode);
        at += WriteVarint(destination[at..], key.Pos.Offset);
        at += WriteVarint(destination[at..], (ulong)key.Value.Length);
        key.Value.Span.CopyTo(destination[at..]);
        return at + key.Value.Length;
    }

    /// <summary>
    /// Reads one key from the start of <paramref name="source"/>; the value is copied into a new array.
    /// Returns false (and consumes nothing) when the bytes are not a valid key.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out BtreeKey key, out int consumed)
    {
        key = default;
        consumed = 0;
        if (source.IsEmpty || (source[0] & ~WhiteoutFlag) != 0)
        {
            return false;
        }

        bool whiteout = (source[0] & WhiteoutFlag) != 0;
        int at = 1;
        if (!TryReadVarint(source[at..], out ulong inode, out int n))
        {
            return false;
        }

        at += n;
        if (!TryReadVarint(source[at..], out ulong offset, out n))
        {
            return false;
        }

        at += n;
        if (!TryReadVarint(source[at..], out ulong length, out n) || length > (ulong)(source.Length - at - n) || (whiteout && length != 0))
        {
            return false;
        }

        at += n;
        byte[] value = source.Slice(at, (int)length).ToArray();
        key = new BtreeKey(new Bpos(inode, offset), value, whiteout);
        consumed = at + (int)length;
        return true;
    }

    /// <summary>The size of <paramref name="value"/> as an unsigned LEB128 varint.</summary>
    public static int VarintSize(ulong value) => value == 0 ? 1 : (63 - BitOperations.LeadingZeroCount(value)) / 7 + 1;

    private static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> source, out ulong value, out int consumed)
    {
        value = 0;
        for (int i = 0; i < 10 && i < source.Length; i++)
        {
            byte b = source[i];
            if (i == 9 && b > 1)
            {
                break;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0)
            {
                consumed = i + 1;
                return true;
            }
        }

        consumed = 0;
        return false;
    }
}
