namespace Primitives.Filesystem.Alloc;

/// <summary>How an in-flight discard ended.</summary>
internal enum DiscardOutcome
{
    /// <summary>The device discarded the bucket: it becomes free.</summary>
    Discarded,

    /// <summary>The device refused or failed: the bucket still becomes free (its old contents are stale behind the bumped generation at the next allocation).</summary>
    Failed,

    /// <summary>The worker stopped before the discard: the bucket goes back to need_discard.</summary>
    Cancelled,
}
