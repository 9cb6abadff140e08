namespace Primitives.Locking;

/// <summary>
/// One hold of a <see cref="SixLock"/>, released by <see cref="Dispose"/>: the scope returned by
/// <see cref="SixLock.Read"/>, <see cref="SixLock.Intent"/>, <see cref="SixLock.Write"/> and the
/// asynchronous acquisitions. For intent and write it carries the owner token, so an
/// asynchronous holder (not tied to a thread) can release or take write from any thread.
/// </summary>
/// <remarks>
/// A struct, so <c>using var _ = lk.Read();</c> allocates nothing. Copies share the hold: dispose
/// exactly one of them, once (a second dispose releases a hold that is not this caller's, or throws
/// <see cref="SixLockException"/> if the type is no longer held). <c>default</c> holds nothing and
/// disposing it does nothing.
/// </remarks>
public readonly struct SixLockHandle : IDisposable
{
    internal SixLockHandle(SixLock owner, SixLockType type, long token)
    {
        Lock = owner;
        Type = type;
        Token = token;
    }

    /// <summary>The lock this handle holds, or <see langword="null"/> for <c>default</c>.</summary>
    public SixLock? Lock { get; }

    /// <summary>Whether this handle holds the lock: <see langword="false"/> for <c>default</c>, e.g. from a timed-out <see cref="SixLock.TryLockAsync"/>.</summary>
    public bool IsAcquired => Lock is not null;

    /// <summary>The type held.</summary>
    public SixLockType Type { get; }

    /// <summary>The owner token of an intent or write hold (0 for read).</summary>
    internal long Token { get; }

    /// <summary>Releases the hold.</summary>
    /// <exception cref="SixLockException">The hold was already released (see the remarks on copies).</exception>
    public void Dispose() => Lock?.Release(Type, Token);
}
