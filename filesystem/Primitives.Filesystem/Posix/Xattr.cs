using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// An extended attribute as stored in <see cref="BtreeId.Xattrs"/> at (ino, slot), slots assigned
/// as for directory entries (<see cref="NameHash"/>, linear probing).
/// </summary>
/// <remarks>Encoding: 0 name length (u8), 1 name bytes, then the value bytes.</remarks>
/// <param name="Name">The full name with its namespace prefix ("user.x"), 1 to 255 bytes.</param>
/// <param name="Value">The value, at most <see cref="MaxValue"/> minus the name's length bytes.</param>
public sealed record Xattr(byte[] Name, byte[] Value)
{
    /// <summary>The longest name.</summary>
    public const int MaxName = 255;

    /// <summary>The room for name and value together (the engine's value size less one length byte).</summary>
    public const int MaxValue = IKeyValueTransaction.MaxValueSize - 1;

    /// <summary>The encoded value.</summary>
    public byte[] Encode()
    {
        var b = new byte[1 + Name.Length + Value.Length];
        b[0] = checked((byte)Name.Length);
        Name.CopyTo(b, 1);
        Value.CopyTo(b, 1 + Name.Length);
        return b;
    }

    /// <summary>Decodes a value.</summary>
    /// <exception cref="FilesystemException">The value is not an xattr.</exception>
    public static Xattr Decode(ReadOnlySpan<byte> b)
    {
        if (b.Length < 1 || b.Length < 1 + b[0])
        {
            throw new FilesystemException($"corrupt xattr of {b.Length} bytes");
        }

        return new Xattr(b.Slice(1, b[0]).ToArray(), b[(1 + b[0])..].ToArray());
    }

    /// <summary>Whether the encoded xattr <paramref name="value"/> has name <paramref name="name"/>.</summary>
    public static bool HasName(ReadOnlySpan<byte> value, ReadOnlySpan<byte> name) =>
        value.Length >= 1 && value[0] == name.Length && value.Length >= 1 + name.Length && value.Slice(1, name.Length).SequenceEqual(name);
}
