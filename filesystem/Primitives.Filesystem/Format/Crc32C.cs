using System.Buffers.Binary;
using System.Numerics;

namespace Primitives.Filesystem.Format;

/// <summary>
/// CRC32C (Castagnoli), the checksum of every on-disk structure. Uses the processor's CRC32
/// instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/> (SSE4.2 / ARMv8 CRC).
/// </summary>
public static class Crc32C
{
    /// <summary>Computes the CRC32C of <paramref name="data"/> (initial value all ones, final complement, as iSCSI and ext4 do).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>Continues a running (not yet complemented) CRC with more data.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        while (data.Length >= 8)
        {
            crc = BitOperations.Crc32C(crc, BinaryPrimitives.ReadUInt64LittleEndian(data));
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = BitOperations.Crc32C(crc, b);
        }

        return crc;
    }
}
