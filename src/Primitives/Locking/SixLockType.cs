namespace Primitives.Locking;

/// <summary>The three ways a <see cref="SixLock"/> can be held.</summary>
public enum SixLockType
{
    /// <summary>Shared: any number of readers, excluded only by a writer.</summary>
    Read = 0,

    /// <summary>
    /// Intent to write: excludes other intent holders but admits readers. The holder may later take
    /// <see cref="Write"/> for a short moment without releasing intent.
    /// </summary>
    Intent = 1,

    /// <summary>Exclusive: excludes readers. Only the holder of <see cref="Intent"/> may take it.</summary>
    Write = 2,
}
