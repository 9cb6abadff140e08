namespace Primitives.Filesystem.Journaling;

/// <summary>
/// One region of the device that belongs to the journal (a journal bucket): <paramref name="Offset"/>
/// and <paramref name="Length"/> in bytes, both multiples of the journal's block size. The journal
/// is the ring of its regions in list order; an entry never spans two regions.
/// </summary>
/// <param name="Offset">Byte offset of the region on the device.</param>
/// <param name="Length">Length of the region in bytes.</param>
public readonly record struct JournalRegion(long Offset, long Length);
