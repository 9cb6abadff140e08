namespace Primitives.Locking;

/// <summary>
/// What a cycle detector or a <see cref="SixLockShouldSleep"/> callback sees of one waiter of a
/// <see cref="SixLock"/>.
/// </summary>
public readonly struct SixLockWaiterInfo
{
    internal SixLockWaiterInfo(SixLockType type, long startTimestamp, long ownerToken, bool isAsync)
    {
        Type = type;
        StartTimestamp = startTimestamp;
        OwnerToken = ownerToken;
        IsAsync = isAsync;
    }

    /// <summary>The type the waiter asks for.</summary>
    public SixLockType Type { get; }

    /// <summary>
    /// When the waiter queued, in <see cref="System.Diagnostics.Stopwatch"/> ticks. Strictly increasing
    /// along the wait list of one lock, so it also orders waiters (older = smaller), the way bcachefs
    /// transactions pick a victim in a lock cycle.
    /// </summary>
    public long StartTimestamp { get; }

    /// <summary>
    /// Who waits: the managed thread id for synchronous waiters, 0 for asynchronous readers, a
    /// negative value for asynchronous intent waiters.
    /// </summary>
    public long OwnerToken { get; }

    /// <summary>Whether the waiter is an asynchronous acquisition.</summary>
    public bool IsAsync { get; }

    /// <inheritdoc/>
    public override string ToString() => $"{Type} waiter {OwnerToken} since {StartTimestamp}{(IsAsync ? " (async)" : string.Empty)}";
}
