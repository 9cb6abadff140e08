using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The superblock's clean section, written by a clean unmount: the btree roots at the moment
/// everything was written (version byte 1, then <see cref="BtreeRoots.Encode"/>).
/// </summary>
internal static class CleanSection
{
    private const byte Version = 1;

    public static byte[] Encode(BtreeRoots roots)
    {
        byte[] table = roots.Encode();
        byte[] bytes = new byte[1 + table.Length];
        bytes[0] = Version;
        table.CopyTo(bytes, 1);
        return bytes;
    }

    /// <exception cref="CorruptStructureException">The section is not a roots table of a known version.</exception>
    public static BtreeRoots Decode(ReadOnlySpan<byte> bytes, long offset)
    {
        if (bytes.IsEmpty || bytes[0] != Version)
        {
            throw new CorruptStructureException("superblock clean section", offset, bytes.IsEmpty ? "empty although the superblock says clean" : $"version {bytes[0]} (this code reads {Version})");
        }

        try
        {
            return BtreeRoots.Decode(bytes[1..]);
        }
        catch (FilesystemException e)
        {
            throw new CorruptStructureException("superblock clean section", offset, e.Message);
        }
    }
}
