using System.Buffers.Binary;

namespace Primitives.Filesystem.Format;

/// <summary>
/// Recognises a few other formats by their well-known signatures, so that opening or formatting a
/// device that holds something else reports what it holds instead of "corrupt".
/// </summary>
public static class FilesystemSignatures
{
    /// <summary>How many bytes from the start of the device <see cref="Detect"/> looks at.</summary>
    public const int ProbeLength = 68 * 1024;

    /// <summary>The name of a foreign format found in <paramref name="start"/> (the device's first bytes), or <see langword="null"/>.</summary>
    public static string? Detect(ReadOnlySpan<byte> start)
    {
        if (start.Length >= 1082 && BinaryPrimitives.ReadUInt16LittleEndian(start[1080..]) == 0xEF53)
        {
            return "an ext2/3/4 filesystem";
        }

        if (start.Length >= 4 && start[..4].SequenceEqual("XFSB"u8))
        {
            return "an XFS filesystem";
        }

        if (start.Length >= 6 && start[..6].SequenceEqual((ReadOnlySpan<byte>)[0x4C, 0x55, 0x4B, 0x53, 0xBA, 0xBE]))
        {
            return "a LUKS volume";
        }

        if (start.Length >= 65536 + 72 && start.Slice(65536 + 64, 8).SequenceEqual("_BHRfS_M"u8))
        {
            return "a btrfs filesystem";
        }

        if (start.Length >= 4096 && start.Slice(4086, 10).SequenceEqual("SWAPSPACE2"u8))
        {
            return "a swap area";
        }

        if (start.Length >= 520 && start.Slice(512, 8).SequenceEqual("EFI PART"u8))
        {
            return "a GPT partition table";
        }

        return null;
    }
}
