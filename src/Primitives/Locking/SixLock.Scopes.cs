namespace Primitives.Locking;

public sealed partial class SixLock
{
    /// <summary>Takes read and returns a scope that releases it: <c>using var _ = lk.Read();</c>.</summary>
    /// <returns>The hold; dispose it once to unlock.</returns>
    /// <exception cref="SixLockException">The reader count would overflow.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public SixLockHandle Read()
    {
        Lock(SixLockType.Read);
        return new SixLockHandle(this, SixLockType.Read, NoOwner);
    }

    /// <summary>Takes intent for the calling thread and returns a scope that releases it.</summary>
    /// <returns>The hold; dispose it once, on the same thread, to unlock.</returns>
    /// <exception cref="SixLockException">The calling thread already holds intent.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public SixLockHandle Intent()
    {
        Lock(SixLockType.Intent);
        return new SixLockHandle(this, SixLockType.Intent, CurrentThreadOwner);
    }

    /// <summary>Takes write (the calling thread must hold intent) and returns a scope that releases it.</summary>
    /// <returns>The hold; dispose it once, before the intent scope, to unlock.</returns>
    /// <exception cref="SixLockException">The calling thread does not hold intent, or already holds write.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    public SixLockHandle Write()
    {
        Lock(SixLockType.Write);
        return new SixLockHandle(this, SixLockType.Write, CurrentThreadOwner);
    }

    /// <summary>Releases a hold described by a handle (called by <see cref="SixLockHandle.Dispose"/>).</summary>
    internal void Release(SixLockType type, long token) => UnlockCore((int)type, token);
}
