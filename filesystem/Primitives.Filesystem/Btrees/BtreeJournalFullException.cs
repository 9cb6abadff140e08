namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Thrown inside a btree operation when the journal has no room for its records right now; the
/// operation drops its locks, waits for space and starts again. Never escapes the btree code.
/// </summary>
internal sealed class BtreeJournalFullException() : Exception("the journal has no room right now");
