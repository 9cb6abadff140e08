using System.Buffers.Binary;

using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// A directory entry as stored in <see cref="BtreeId.Dirents"/> at (directory ino, slot): the slot
/// is the name's hash (<see cref="NameHash"/>), or the next free position after it when names
/// collide (linear probing within <see cref="NameHash.ProbeWindow"/> slots). The value holds the
/// full name, so lookups compare names, and the slot is the entry's stable readdir cookie.
/// </summary>
/// <remarks>Encoding: 0 target ino (u64), 8 d_type (u8), 9 name length (u8), 10 name bytes.</remarks>
/// <param name="Ino">The inode the entry names.</param>
/// <param name="Type">The <c>d_type</c> of the inode (<see cref="FileTypeBits.DirentType"/>).</param>
/// <param name="Name">The name (1 to 255 bytes, no '/' or NUL).</param>
public sealed record Dirent(ulong Ino, byte Type, byte[] Name)
{
    /// <summary>The longest name (NAME_MAX).</summary>
    public const int MaxName = 255;

    private const int HeaderSize = 10;

    /// <summary>The encoded value.</summary>
    public byte[] Encode()
    {
        var buffer = new byte[HeaderSize + Name.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, Ino);
        buffer[8] = Type;
        buffer[9] = checked((byte)Name.Length);
        Name.CopyTo(buffer, HeaderSize);
        return buffer;
    }

    /// <summary>Decodes a value.</summary>
    /// <exception cref="FilesystemException">The value is not a directory entry.</exception>
    public static Dirent Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length < HeaderSize || b.Length != HeaderSize + b[9])
        {
            throw new FilesystemException($"corrupt directory entry of {b.Length} bytes");
        }

        return new Dirent(BinaryPrimitives.ReadUInt64LittleEndian(b), b[8], b[HeaderSize..].ToArray());
    }

    /// <summary>Whether the encoded entry <paramref name="value"/> has name <paramref name="name"/> (without decoding it).</summary>
    public static bool HasName(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name) =>
        value.Length >= HeaderSize && value[HeaderSize..].SequenceEqual(name);
}
