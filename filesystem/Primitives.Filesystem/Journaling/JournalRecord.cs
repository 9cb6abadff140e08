namespace Primitives.Filesystem.Journaling;

/// <summary>
/// One record of a journal entry: a type chosen by the journal's user (1-255; 0 is the journal's
/// own padding) and an opaque payload (the btree layer encodes its keys there).
/// </summary>
/// <param name="Type">The record type, 1-255.</param>
/// <param name="Payload">The payload bytes, as written.</param>
public readonly record struct JournalRecord(byte Type, ReadOnlyMemory<byte> Payload);
