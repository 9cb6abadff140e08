using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Tests.Format;

public sealed class Crc32CTests
{
    [Fact]
    public void MatchesTheStandardCheckValue() =>
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));

    [Fact]
    public void TheInterleavedPathEqualsTheBitwiseDefinitionAtEveryLengthAroundTheRounds()
    {
        var random = new Random(6);
        const int largeRound = 3 * Crc32C.LargeLaneLength;
        byte[] data = new byte[(2 * largeRound) + (3 * Crc32C.InterleaveThreshold) + 64];
        random.NextBytes(data);
        int[] lengths = [0, 1, 7, 8, Crc32C.InterleaveThreshold - 1, Crc32C.InterleaveThreshold, Crc32C.InterleaveThreshold + 1,
            (2 * Crc32C.InterleaveThreshold) + 13, 3 * Crc32C.InterleaveThreshold, largeRound - 1, largeRound, largeRound + 1,
            largeRound + Crc32C.InterleaveThreshold + 5, 2 * largeRound, data.Length];
        foreach (int length in lengths)
        {
            ReadOnlySpan<byte> span = data.AsSpan(0, length);
            Assert.Equal(Bitwise(span), Crc32C.Compute(span));
            Assert.Equal(~Crc32C.AppendSerial(uint.MaxValue, span), Crc32C.Compute(span));
        }

        // Unaligned starts and chained appends agree with one pass.
        for (int start = 1; start < 9; start++)
        {
            ReadOnlySpan<byte> span = data.AsSpan(start, data.Length - start - 8);
            uint chained = ~Crc32C.Append(Crc32C.Append(uint.MaxValue, span[..1000]), span[1000..]);
            Assert.Equal(Bitwise(span), chained);
        }
    }

    /// <summary>The reflected CRC32C polynomial 0x82F63B78, one bit at a time: the definition.</summary>
    private static uint Bitwise(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
            }
        }

        return ~crc;
    }
}
