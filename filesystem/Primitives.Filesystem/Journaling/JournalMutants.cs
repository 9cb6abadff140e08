namespace Primitives.Filesystem.Journaling;

/// <summary>
/// The bug-zoo switch of the journal: restores the pre-fix behaviour of the seed-003 journal race
/// for the Coyote test that must find it. Off in every normal run. A test turns it on for one
/// journal with the internal <c>JournalOptions.OldPinLifetimeMutant</c> (so tests running in
/// parallel are unaffected); the environment variable <c>PRIMITIVES_JOURNAL_MUTANT=OldPinLifetime</c>
/// turns it on for every journal of the process (read once). The journal copies it into a
/// readonly field and checks it only at the mutated sites, so the cost when off is one field read.
/// </summary>
internal static class JournalMutants
{
    /// <summary>
    /// Seed 003 (fixed Sep 2023): closing an entry drops the pin reference taken at open right
    /// away, instead of in the buffer's final put after the last reservation is released and the
    /// entry is written. The count can reach zero while a transaction still holds a reservation,
    /// fast reclaim pops the sequence, and that transaction's pin set silently skips the popped
    /// sequence, so its dirty object is never flushed. Sites: <c>Journal.CloseEntry</c>
    /// (drops the pin early), <c>Journal.OnWriteDone</c> (does not drop it again) and
    /// <c>Journal.PinAdd</c> (skips a reclaimed sequence silently instead of throwing).
    /// </summary>
    public static readonly bool OldPinLifetime = Environment.GetEnvironmentVariable("PRIMITIVES_JOURNAL_MUTANT") == nameof(OldPinLifetime);
}
