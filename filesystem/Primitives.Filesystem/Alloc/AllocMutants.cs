namespace Primitives.Filesystem.Alloc;

/// <summary>
/// The allocator's planted bugs for the Coyote tests (a static switch: the filesystem is a sample
/// application, so the mutant code ships in the assembly but stays off unless a test sets
/// <see cref="Active"/>).
/// </summary>
internal static class AllocMutants
{
    /// <summary>
    /// Seed 000 (2026 triage): a claim path that bypasses the discard gate. The discard worker
    /// registers a need_discard bucket as in flight, unlocks, issues the slow discard and re-validates
    /// on completion; meanwhile <see cref="BucketAllocator.TryClaim"/>, under this mutant, looks only
    /// at the bucket's alloc key (need_discard looks claimable) and not at the in-flight set, so it
    /// claims the bucket for user data: the completion then finds a claimed bucket, and the discard
    /// may destroy data just written.
    /// </summary>
    public const string ClaimBypassesDiscardGate = "Alloc.ClaimBypassesDiscardGate";

    /// <summary>The active mutant's name, or <see langword="null"/> for the real code.</summary>
    public static volatile string? Active;

    /// <summary>Whether <paramref name="name"/> is the active mutant.</summary>
    public static bool IsActive(string name) => string.Equals(Active, name, StringComparison.Ordinal);
}
