namespace Primitives.Benchmarks.Locking;

/// <summary>
/// The per-thread generator that decides read or write in the mixed benchmarks: xorshift32, seeded
/// from the participant index so runs are repeatable and threads do not write in step.
/// </summary>
internal struct MixRandom
{
    private uint _state;

    public MixRandom(int index) => _state = 0x9E3779B9u ^ (uint)(index + 1) * 0x85EBCA6Bu;

    /// <summary>The threshold below which a draw is a write, for <paramref name="readPercent"/>% reads.</summary>
    public static uint WriteThreshold(int readPercent)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(readPercent);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(readPercent, 100);
        return (uint)((100 - readPercent) * (double)uint.MaxValue / 100);
    }

    /// <summary>Draws the next number and says whether it is a write.</summary>
    public bool NextIsWrite(uint writeThreshold)
    {
        uint x = _state;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        _state = x;
        return x < writeThreshold;
    }
}
