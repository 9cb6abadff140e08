using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Format;

/// <summary>
/// CRC32C (Castagnoli), the checksum of every on-disk structure. Uses the processor's CRC32
/// instruction through <see cref="BitOperations.Crc32C(uint, ulong)"/> (SSE4.2 / ARMv8 CRC).
/// </summary>
/// <remarks>
/// Buffers of at least <see cref="InterleaveThreshold"/> bytes are checksummed three lanes at a
/// time (4 KiB lanes while a 12 KiB round fits, then 512-byte lanes): the CRC32 instruction has a latency of about three cycles but a throughput of one per
/// cycle, so three independent chains keep it busy. Each round checksums three consecutive
/// <see cref="LaneLength"/>-byte lanes from states (crc, 0, 0) and combines them as
/// <c>shift(2L, a) ^ shift(L, b) ^ c</c>: the update is linear over GF(2), and shifting a state over
/// n zero bytes is a fixed 32x32 bit matrix, precomputed here as four 256-entry tables per shift.
/// </remarks>
public static class Crc32C
{
    /// <summary>Bytes per lane per interleaved round (small rounds: buffers from 1.5 KiB).</summary>
    public const int LaneLength = 512;

    /// <summary>Bytes per lane of the large rounds, taken first when at least one fits: the combine (eight table lookups) then costs per 12 KiB instead of per 1.5 KiB.</summary>
    public const int LargeLaneLength = 4096;

    /// <summary>The smallest buffer the interleaved path takes: one round of three lanes.</summary>
    public const int InterleaveThreshold = 3 * LaneLength;

    private static readonly uint[] s_shiftOneLane = BuildShiftTable(LaneLength);
    private static readonly uint[] s_shiftTwoLanes = BuildShiftTable(2 * LaneLength);
    private static readonly uint[] s_shiftOneLargeLane = BuildShiftTable(LargeLaneLength);
    private static readonly uint[] s_shiftTwoLargeLanes = BuildShiftTable(2 * LargeLaneLength);

    /// <summary>Computes the CRC32C of <paramref name="data"/> (initial value all ones, final complement, as iSCSI and ext4 do).</summary>
    public static uint Compute(ReadOnlySpan<byte> data) => ~Append(uint.MaxValue, data);

    /// <summary>Continues a running (not yet complemented) CRC with more data.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        if (data.Length >= 3 * LargeLaneLength)
        {
            int rounds = data.Length / (3 * LargeLaneLength);
            crc = AppendInterleaved(crc, data[..(rounds * 3 * LargeLaneLength)], LargeLaneLength, s_shiftOneLargeLane, s_shiftTwoLargeLanes);
            data = data[(rounds * 3 * LargeLaneLength)..];
        }

        if (data.Length >= InterleaveThreshold)
        {
            int rounds = data.Length / InterleaveThreshold;
            crc = AppendInterleaved(crc, data[..(rounds * InterleaveThreshold)], LaneLength, s_shiftOneLane, s_shiftTwoLanes);
            data = data[(rounds * InterleaveThreshold)..];
        }

        return AppendSerial(crc, data);
    }

    /// <summary>One chain, eight bytes per instruction: the reference path (and the tail of the interleaved one).</summary>
    internal static uint AppendSerial(uint crc, ReadOnlySpan<byte> data)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        int i = 0;
        for (; i <= data.Length - 8; i += 8)
        {
            crc = BitOperations.Crc32C(crc, ReadLittleEndian(ref Unsafe.Add(ref p, i)));
        }

        for (; i < data.Length; i++)
        {
            crc = BitOperations.Crc32C(crc, Unsafe.Add(ref p, i));
        }

        return crc;
    }

    /// <summary>Three chains over whole rounds of three <paramref name="laneLength"/>-byte lanes; <paramref name="data"/>'s length is a multiple of a round.</summary>
    private static uint AppendInterleaved(uint crc, ReadOnlySpan<byte> data, int laneLength, uint[] shiftOne, uint[] shiftTwo)
    {
        ref byte p = ref MemoryMarshal.GetReference(data);
        for (int round = 0; round < data.Length; round += 3 * laneLength)
        {
            ref byte lane = ref Unsafe.Add(ref p, round);
            uint a = crc;
            uint b = 0;
            uint c = 0;
            for (int i = 0; i < laneLength; i += 8)
            {
                a = BitOperations.Crc32C(a, ReadLittleEndian(ref Unsafe.Add(ref lane, i)));
                b = BitOperations.Crc32C(b, ReadLittleEndian(ref Unsafe.Add(ref lane, laneLength + i)));
                c = BitOperations.Crc32C(c, ReadLittleEndian(ref Unsafe.Add(ref lane, (2 * laneLength) + i)));
            }

            crc = Shift(shiftTwo, a) ^ Shift(shiftOne, b) ^ c;
        }

        return crc;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong ReadLittleEndian(ref byte source)
    {
        ulong value = Unsafe.ReadUnaligned<ulong>(ref source);
        return BitConverter.IsLittleEndian ? value : BinaryPrimitives.ReverseEndianness(value);
    }

    /// <summary>The state after running <paramref name="crc"/> over the table's number of zero bytes.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint[] table, uint crc) =>
        table[crc & 0xFF] ^ table[256 + ((crc >> 8) & 0xFF)] ^ table[512 + ((crc >> 16) & 0xFF)] ^ table[768 + (crc >> 24)];

    /// <summary>Shift over <paramref name="zeroBytes"/> zero bytes as 4 x 256 entries: by linearity, the XOR of the shifted basis bits.</summary>
    private static uint[] BuildShiftTable(int zeroBytes)
    {
        Span<uint> basis = stackalloc uint[32];
        for (int bit = 0; bit < 32; bit++)
        {
            uint state = 1u << bit;
            for (int i = 0; i < zeroBytes; i += 8)
            {
                state = BitOperations.Crc32C(state, 0UL);
            }

            basis[bit] = state;
        }

        uint[] table = new uint[4 * 256];
        for (int k = 0; k < 4; k++)
        {
            for (int b = 0; b < 256; b++)
            {
                uint value = 0;
                for (int j = 0; j < 8; j++)
                {
                    if ((b & (1 << j)) != 0)
                    {
                        value ^= basis[(8 * k) + j];
                    }
                }

                table[(k * 256) + b] = value;
            }
        }

        return table;
    }
}
