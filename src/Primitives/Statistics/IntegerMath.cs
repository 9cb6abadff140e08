using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>
/// Integer helpers shared by the statistics types: rounding division by a power of two and
/// exact integer square roots. Everything here is exact; nothing goes through floating point
/// except the first guess of <see cref="Sqrt(UInt128)"/>, which is then corrected.
/// </summary>
internal static class IntegerMath
{
    /// <summary>
    /// <paramref name="value"/> / 2^<paramref name="shift"/> rounded toward zero (a plain
    /// arithmetic shift rounds toward negative infinity, which biases negative means).
    /// </summary>
    /// <param name="value">The dividend.</param>
    /// <param name="shift">The power of two, in [0, 63].</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static long FastDivPow2(long value, int shift)
    {
        Debug.Assert((uint)shift < 64);
        // (value >> 63) is all ones for a negative value: add 2^shift - 1 so the floor becomes a ceiling.
        long bias = (value >> 63) & ((1L << shift) - 1);
        return (value + bias) >> shift;
    }

    /// <summary>The largest r with r * r &lt;= <paramref name="value"/>.</summary>
    public static ulong Sqrt(UInt128 value)
    {
        if (value == UInt128.Zero)
        {
            return 0;
        }

        // A double has 53 bits of mantissa: the guess is within a few units of the root, and the
        // two loops below make it exact. 2^64 - 1 is the largest possible root.
        double guess = Math.Sqrt((double)value);
        ulong r = guess >= 18446744073709551615.0 ? ulong.MaxValue : (ulong)guess;
        while ((UInt128)r * r > value)
        {
            r--;
        }

        while (r < ulong.MaxValue && (UInt128)(r + 1) * (r + 1) <= value)
        {
            r++;
        }

        return r;
    }

    /// <summary>The largest r with r * r &lt;= <paramref name="value"/>.</summary>
    public static ulong Sqrt(ulong value) => Sqrt((UInt128)value);

    /// <summary>The magnitude of <paramref name="value"/> as an unsigned number (exact for <see cref="long.MinValue"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Magnitude(long value)
    {
        ulong sign = (ulong)(value >> 63);
        return ((ulong)value ^ sign) - sign;
    }
}
