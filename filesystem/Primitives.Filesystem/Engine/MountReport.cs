namespace Primitives.Filesystem.Engine;

/// <summary>What a mount found and did.</summary>
/// <param name="WasClean">The superblock said the last unmount was clean (roots from its clean section; nothing to replay).</param>
/// <param name="JournalEntriesReplayed">Journal entries read and replayed.</param>
/// <param name="KeysReplayed">Btree keys re-applied from the journal.</param>
/// <param name="AllocKeysReplayed">Alloc keys re-applied from the journal.</param>
/// <param name="NewestSeq">The newest journal sequence found (new commits continue after it).</param>
/// <param name="Elapsed">How long the mount took.</param>
public sealed record MountReport(bool WasClean, int JournalEntriesReplayed, long KeysReplayed, long AllocKeysReplayed, ulong NewestSeq, TimeSpan Elapsed)
{
    /// <inheritdoc />
    public override string ToString()
        => WasClean
            ? $"clean (journal at seq {NewestSeq}), {Elapsed.TotalMilliseconds:0.0} ms"
            : $"unclean: replayed {JournalEntriesReplayed} journal entries ({KeysReplayed} btree keys, {AllocKeysReplayed} alloc keys) up to seq {NewestSeq}, {Elapsed.TotalMilliseconds:0.0} ms";
}
