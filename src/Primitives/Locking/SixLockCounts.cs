namespace Primitives.Locking;

/// <summary>A snapshot of how a <see cref="SixLock"/> is held, as returned by <see cref="SixLock.Counts"/>.</summary>
/// <remarks>The three values are read one after the other and are only consistent while the caller holds intent or write.</remarks>
public readonly struct SixLockCounts
{
    /// <summary>Creates a snapshot.</summary>
    /// <param name="readers">Read holds.</param>
    /// <param name="intent">Intent holds including recursion.</param>
    /// <param name="write">Write holds including recursion.</param>
    public SixLockCounts(int readers, int intent, int write)
    {
        Readers = readers;
        Intent = intent;
        Write = write;
    }

    /// <summary>Read holds, including those taken with <see cref="SixLock.Increment"/> and <see cref="SixLock.ReadersAdd"/>.</summary>
    public int Readers { get; }

    /// <summary>Intent holds: 1 for the held intent plus its recursion count, or 0.</summary>
    public int Intent { get; }

    /// <summary>Write holds: 1 for the held write plus its recursion count, or 0.</summary>
    public int Write { get; }

    /// <inheritdoc/>
    public override string ToString() => $"read={Readers} intent={Intent} write={Write}";
}
