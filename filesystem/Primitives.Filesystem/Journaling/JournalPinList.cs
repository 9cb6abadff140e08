namespace Primitives.Filesystem.Journaling;

/// <summary>
/// The pins of one sequence: a slot of the pin FIFO (indexed by <c>seq &amp; mask</c>). Its count
/// is one for the entry's buffer (from open until the entry is written) plus one per pin (and one
/// for replay on replayed sequences). The sequence is reclaimable when the count is zero and it is
/// the FIFO's front.
/// </summary>
internal sealed class JournalPinList
{
    /// <summary>The sequence this slot holds now (slots are reused every FIFO-size sequences).</summary>
    public long Seq;

    /// <summary>Changed with <see cref="Interlocked"/> (decrements may run without the pin lock; increments hold it).</summary>
    public int Count;

    /// <summary>Head of the doubly linked list of pins (guarded by the pin lock).</summary>
    public JournalPin? Head;

    public void Reset(long seq, int count)
    {
        Seq = seq;
        Head = null;
        Volatile.Write(ref Count, count);
    }
}
