namespace Primitives.Filesystem.Journaling;

/// <summary>
/// How deep into the journal's kept-back space a reservation may go (bcachefs: journal watermarks).
/// </summary>
public enum JournalWatermark
{
    /// <summary>
    /// Ordinary commits: they leave <see cref="JournalOptions.ReclaimReserveBytes"/> and a few pin
    /// FIFO slots free, so the work that frees space can still commit.
    /// </summary>
    Normal,

    /// <summary>
    /// Commits made to free journal space (an object writing itself back for reclaim, which may
    /// have to journal that write): they may use the reclaim reserve. Reservations made inside a
    /// <see cref="JournalPin"/> flush callback get this by default.
    /// </summary>
    Reclaim,
}
