namespace Primitives.Locking;

/// <summary>
/// Thrown when a <see cref="SixLock"/> is misused: unlocking a type that is not held, taking
/// write without holding intent, releasing intent or write from a caller that does not own it,
/// overflowing the reader count, or locking a disposed lock.
/// </summary>
/// <remarks>
/// The lock validates every request before it changes any state, so after this exception the
/// lock is exactly as it was before the call. It derives from
/// <see cref="SynchronizationLockException"/> so that code handling the framework's lock misuse
/// handles this one too.
/// </remarks>
public sealed class SixLockException : SynchronizationLockException
{
    /// <summary>Creates the exception with a message saying what was misused.</summary>
    /// <param name="message">What the caller did wrong.</param>
    public SixLockException(string message)
        : base(message)
    {
    }
}
