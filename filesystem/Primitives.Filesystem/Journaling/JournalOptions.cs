using Primitives.Closures;

namespace Primitives.Filesystem.Journaling;

/// <summary>Settings of a <see cref="Journal"/>. Defaults suit a real device; tests shrink them.</summary>
public sealed class JournalOptions
{
    /// <summary>
    /// Largest entry in bytes, header included (default 64 KiB; at most about 1 MiB, the reach of
    /// the reservation word's 20-bit offset). An entry is also never larger than one region.
    /// </summary>
    public int MaxEntrySize { get; init; } = 64 * 1024;

    /// <summary>
    /// Group-commit delay: an open entry that nobody closes is closed this long after it opened
    /// (bcachefs: journal_delay). Null: entries close only when full or flushed. Default 10 ms.
    /// </summary>
    public TimeSpan? CommitDelay { get; init; } = TimeSpan.FromMilliseconds(10);

    /// <summary>Identifies this filesystem's entries on disk: entries with another id are ignored by replay.</summary>
    public ulong JournalId { get; init; }

    /// <summary>
    /// Sequences the pin FIFO can hold (a power of two, default 1024): at most this many entries
    /// are between last_seq and the current one; beyond that, reservations wait for reclaim.
    /// </summary>
    public int PinFifoSize { get; init; } = 1024;

    /// <summary>
    /// Bytes every entry keeps for <see cref="EntryWriteHook"/> (records and their 5-byte headers).
    /// Default 0 (no hook).
    /// </summary>
    public int HookReserveBytes { get; init; }

    /// <summary>
    /// Called for every entry as it is written, after its last reservation is released: appends
    /// records (the engine adds the btree roots) within <see cref="HookReserveBytes"/>. Runs on
    /// the writer's thread; must not block on the journal.
    /// </summary>
    public Action<JournalEntryAppender>? EntryWriteHook { get; init; }

    /// <summary>
    /// Record bytes kept back for <see cref="JournalWatermark.Reclaim"/> reservations (default
    /// 4 KiB): commits made while writing pinned objects back, so reclaim can always make progress
    /// when ordinary commits have filled the journal. The journal keeps back a whole entry of this
    /// many record bytes (with its header and hook reserve), and ordinary flushes may not use it either.
    /// </summary>
    public int ReclaimReserveBytes { get; init; } = 4096;

    /// <summary>Where write completions run (default <see cref="ClosureExecutors.ThreadPool"/>; Coyote tests use <see cref="ClosureExecutors.TaskRun"/>).</summary>
    public IClosureExecutor? Executor { get; init; }

    /// <summary>When frozen, reservations throw <see cref="JournalFrozenException"/> instead of waiting for <see cref="Journal.Unfreeze"/>.</summary>
    public bool ThrowWhenFrozen { get; init; }

    /// <summary>Bug zoo: this journal runs the pre-fix seed-003 pin lifetime (see <see cref="JournalMutants.OldPinLifetime"/>).</summary>
    internal bool OldPinLifetimeMutant { get; init; } = JournalMutants.OldPinLifetime;

    internal void Validate()
    {
        if (MaxEntrySize < 512 || MaxEntrySize > JournalReservationState.MaxOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxEntrySize), MaxEntrySize, $"must be in [512, {JournalReservationState.MaxOffset}]");
        }

        if (PinFifoSize < 8 || (PinFifoSize & (PinFifoSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(PinFifoSize), PinFifoSize, "must be a power of two, at least 8");
        }

        if (HookReserveBytes < 0 || HookReserveBytes > MaxEntrySize / 2)
        {
            throw new ArgumentOutOfRangeException(nameof(HookReserveBytes), HookReserveBytes, "must be in [0, MaxEntrySize / 2]");
        }

        if (ReclaimReserveBytes < 0 || ReclaimReserveBytes > JournalReservationState.MaxOffset)
        {
            throw new ArgumentOutOfRangeException(nameof(ReclaimReserveBytes), ReclaimReserveBytes, $"must be in [0, {JournalReservationState.MaxOffset}] (and leave room for entries in every region)");
        }

        if (CommitDelay is { } delay && delay <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(CommitDelay), delay, "must be positive (or null for none)");
        }
    }
}
