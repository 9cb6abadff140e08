using System.Numerics;

namespace Primitives.Tests.Statistics;

/// <summary>Exact arithmetic the statistics tests compare against, written independently of the library.</summary>
internal static class BigIntegerModel
{
    /// <summary>a / b rounded toward negative infinity.</summary>
    public static BigInteger FloorDiv(BigInteger a, BigInteger b)
    {
        BigInteger q = BigInteger.DivRem(a, b, out BigInteger r);
        return r != 0 && (r.Sign < 0) != (b.Sign < 0) ? q - 1 : q;
    }

    /// <summary>The largest r with r * r &lt;= value (Newton's method).</summary>
    public static BigInteger Sqrt(BigInteger value)
    {
        if (value.Sign < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(value));
        }

        if (value < 2)
        {
            return value;
        }

        BigInteger x = BigInteger.One << (int)((value.GetBitLength() + 1) / 2);
        while (true)
        {
            BigInteger y = (x + (value / x)) / 2;
            if (y >= x)
            {
                return x;
            }

            x = y;
        }
    }

    /// <summary>Mean rounded down, population variance rounded down, and the floor of its square root, of <paramref name="samples"/>.</summary>
    public static (BigInteger Mean, BigInteger Variance, BigInteger StandardDeviation) AllTime(IReadOnlyList<long> samples)
    {
        if (samples.Count == 0)
        {
            return (0, 0, 0);
        }

        BigInteger n = samples.Count;
        BigInteger sum = 0;
        BigInteger sumOfSquares = 0;
        foreach (long x in samples)
        {
            sum += x;
            sumOfSquares += (BigInteger)x * x;
        }

        BigInteger variance = FloorDiv((n * sumOfSquares) - (sum * sum), n * n);
        return (FloorDiv(sum, n), variance, Sqrt(variance));
    }
}
