using System.Numerics;
using CsCheck;
using Primitives.Statistics;

namespace Primitives.Tests.Statistics;

/// <summary>
/// The integer helpers: the reference's fast_divpow2 vectors, its 128-bit helper vectors restated
/// on <see cref="UInt128"/>, and the exact square root.
/// </summary>
public class IntegerMathTests
{
    [Fact]
    public void FastDivPow2RoundsTowardZeroForEveryReferenceVector()
    {
        for (long i = 0; i < 100; i++)
        {
            for (int d = 0; d < 32; d++)
            {
                long expected = i / (1L << d);
                Assert.Equal(expected, IntegerMath.FastDivPow2(i, d));
                Assert.Equal(-expected, IntegerMath.FastDivPow2(-i, d));
            }
        }
    }

    [Fact]
    public void FastDivPow2MatchesTruncatingDivisionOverTheWholeRange() =>
        Gen.Select(Gen.Long, Gen.Int[0, 62]).Sample((value, shift) =>
            IntegerMath.FastDivPow2(value, shift) == value / (1L << shift), iter: 10_000);

    // The reference carried its own u128 type; these are its helper vectors restated on UInt128,
    // which the library's 128-bit arithmetic relies on.
    [Fact]
    public void UInt128AddCarriesIntoTheHighHalf() =>
        Assert.Equal(new UInt128(1, 0), new UInt128(0, ulong.MaxValue) + 1);

    [Fact]
    public void UInt128SubtractBorrowsFromTheHighHalf() =>
        Assert.Equal(new UInt128(0, ulong.MaxValue), new UInt128(1, 0) - 1);

    [Fact]
    public void UInt128ShiftMovesTheTopBitOfTheLowHalfUp() =>
        Assert.Equal(new UInt128(1, 0), new UInt128(0, 1UL << 63) << 1);

    [Fact]
    public void SquareOfUInt64MaxIsMaxMinusOneAndOne()
    {
        ulong high = Math.BigMul(ulong.MaxValue, ulong.MaxValue, out ulong low);
        Assert.Equal(new UInt128(ulong.MaxValue - 1, 1), new UInt128(high, low));
    }

    [Fact]
    public void UInt128DivideByTwoShiftsAcrossHalves()
    {
        Assert.Equal(new UInt128(0, 1UL << 63), new UInt128(1, 0) / 2);
        Assert.Equal(new UInt128(ulong.MaxValue >> 1, ulong.MaxValue), UInt128.MaxValue / 2);
    }

    [Fact]
    public void SqrtIsTheFloorOfTheRootAtTheEdges()
    {
        Assert.Equal(0UL, IntegerMath.Sqrt(UInt128.Zero));
        Assert.Equal(1UL, IntegerMath.Sqrt(new UInt128(0, 3)));
        Assert.Equal(2UL, IntegerMath.Sqrt(new UInt128(0, 4)));
        Assert.Equal(ulong.MaxValue, IntegerMath.Sqrt(UInt128.MaxValue));
        Assert.Equal(ulong.MaxValue - 1, IntegerMath.Sqrt(((UInt128)ulong.MaxValue * ulong.MaxValue) - 1));
        Assert.Equal(ulong.MaxValue, IntegerMath.Sqrt((UInt128)ulong.MaxValue * ulong.MaxValue));
        Assert.Equal(4294967295UL, IntegerMath.Sqrt(ulong.MaxValue));
    }

    [Fact]
    public void SqrtMatchesTheBigIntegerModel() =>
        Gen.Select(Gen.ULong, Gen.ULong).Sample((high, low) =>
        {
            var value = new UInt128(high, low);
            return IntegerMath.Sqrt(value) == (ulong)BigIntegerModel.Sqrt((BigInteger)value);
        });

    [Fact]
    public void MagnitudeIsExactForMinValue()
    {
        Assert.Equal(1UL << 63, IntegerMath.Magnitude(long.MinValue));
        Assert.Equal((ulong)long.MaxValue, IntegerMath.Magnitude(long.MaxValue));
        Assert.Equal(5UL, IntegerMath.Magnitude(-5));
    }
}
