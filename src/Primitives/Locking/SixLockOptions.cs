namespace Primitives.Locking;

/// <summary>Construction options of a <see cref="SixLock"/>.</summary>
[Flags]
public enum SixLockOptions
{
    /// <summary>Readers count in the shared state word.</summary>
    None = 0,

    /// <summary>
    /// Readers count in padded per-processor slots instead of the shared state word, so that
    /// readers on different processors never write the same cache line. Read lock and unlock
    /// become cheaper under read contention; taking write becomes more expensive (it sums all
    /// slots). Meant for read-hot locks such as interior nodes of a tree.
    /// </summary>
    PerCpuReaders = 1,
}
