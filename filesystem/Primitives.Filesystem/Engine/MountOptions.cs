namespace Primitives.Filesystem.Engine;

/// <summary>How to mount a filesystem (<see cref="FileSystem.MountAsync"/>).</summary>
public sealed record MountOptions
{
    /// <summary>The defaults: writers wait while frozen, discards on.</summary>
    public static MountOptions Default { get; } = new();

    /// <summary>
    /// While frozen, whether a writer (a commit, a data write) waits for unfreeze (true) or gets a
    /// <see cref="FilesystemFrozenException"/> at once (false). Either way nothing is lost.
    /// </summary>
    public bool WaitWhenFrozen { get; init; } = true;

    /// <summary>
    /// Mount without ever writing to the device: the journal is replayed in memory, writers get
    /// <see cref="FilesystemReadOnlyException"/>, no discard is issued, the superblock is left as
    /// it is (fsck's check-only pass and <c>fs dump</c> use this).
    /// </summary>
    public bool ReadOnly { get; init; }

    /// <summary>Whether emptied buckets are discarded (BLKDISCARD) before reuse.</summary>
    public bool Discard { get; init; } = true;

    /// <summary>
    /// How often the background flusher makes committed transactions durable even when nobody
    /// calls flush (bcachefs's journal_flush_delay; default 100 ms). Zero turns it off.
    /// </summary>
    public TimeSpan FlushInterval { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Correct the alloc keys from the btrees' references even after a clean unmount (fsck's repair pass).</summary>
    internal bool ForceAllocCorrection { get; init; }

    /// <summary>Test hook: called at the start of each mount step with the step's name; throwing from it fails the mount there.</summary>
    internal Action<string>? StepHook { get; init; }
}
