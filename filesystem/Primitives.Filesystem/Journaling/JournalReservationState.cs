using System.Diagnostics;

namespace Primitives.Filesystem.Journaling;

/// <summary>
/// The journal's reservation word: one <see cref="long"/> that packs the per-buffer reference
/// counts of the four in-flight buffers, the open entry's fill offset (or the closed / error
/// marker), the index of the current buffer and the index of the oldest unwritten buffer. Every
/// reservation is one compare-and-swap of this word; every release is one atomic add.
/// </summary>
/// <remarks>
/// A buffer's count holds one reference for the open entry (taken at open, dropped at close) and
/// one per outstanding reservation. The count reaching zero on a closed buffer is the buffer's
/// final put: the entry can be written. Capacity is not in the word (it is fixed while the entry
/// is open and read from the buffer).
/// </remarks>
internal readonly struct JournalReservationState : IEquatable<JournalReservationState>
{
    /// <summary>Buffers in flight (a power of two: indexes wrap with <see cref="IndexMask"/>).</summary>
    public const int BufferCount = 4;

    public const int CountBits = 10;
    public const long CountMask = (1L << CountBits) - 1;       // per buffer i: bits 10i .. 10i+9 (bits 0-39 in all)
    public const int MaxCount = (int)CountMask;                // 1023 references per buffer

    public const int OffsetShift = 40;
    public const long OffsetMask = (1L << 20) - 1;             // bits 40-59: bytes reserved in the open entry
    public const int ClosedOffset = (int)OffsetMask;           // offset value: the current entry is closed
    public const int ErrorOffset = (int)OffsetMask - 1;        // offset value: the journal is shut down or failed
    public const int MaxOffset = ErrorOffset - 1;              // the largest fill an open entry can have

    public const int IndexShift = 60;
    public const long IndexMask = BufferCount - 1;             // bits 60-61: the current buffer
    public const int UnwrittenShift = 62;                      // bits 62-63: the oldest unwritten buffer

    public JournalReservationState(long value) => Value = value;

    /// <summary>The packed word.</summary>
    public long Value { get; }

    /// <summary>The state of a journal that has never opened an entry: buffer 0 current and closed, buffer 0 the oldest unwritten.</summary>
    public static JournalReservationState Initial => new JournalReservationState(0).WithOffset(ClosedOffset);

    /// <summary>
    /// The state of a journal whose newest entry <paramref name="currentSeq"/> is closed and written:
    /// the current index is that entry's buffer (<c>seq &amp; 3</c>), the oldest unwritten is the next one.
    /// </summary>
    public static JournalReservationState AfterWritten(long currentSeq)
    {
        long index = currentSeq & IndexMask;
        long unwritten = (currentSeq + 1) & IndexMask;
        return new JournalReservationState((index << IndexShift) | (unwritten << UnwrittenShift)).WithOffset(ClosedOffset);
    }

    public int Index => (int)((Value >>> IndexShift) & IndexMask);

    public int UnwrittenIndex => (int)((Value >>> UnwrittenShift) & IndexMask);

    public int Offset => (int)((Value >>> OffsetShift) & OffsetMask);

    /// <summary>Whether the current entry accepts reservations.</summary>
    public bool IsOpen => Offset <= MaxOffset;

    public bool IsClosed => Offset == ClosedOffset;

    public bool IsError => Offset == ErrorOffset;

    public int Count(int buffer)
    {
        Debug.Assert((uint)buffer < BufferCount);
        return (int)((Value >>> (buffer * CountBits)) & CountMask);
    }

    /// <summary>The increment that adds one reference to <paramref name="buffer"/>'s count (for an atomic add).</summary>
    public static long CountIncrement(int buffer) => 1L << (buffer * CountBits);

    /// <summary>
    /// The word after reserving <paramref name="bytes"/> in the open entry of capacity
    /// <paramref name="capacity"/>: offset advanced, one more reference on the current buffer.
    /// Fails when the entry is not open, would overflow, or the count is at its maximum.
    /// </summary>
    public bool TryReserve(int bytes, int capacity, out JournalReservationState next)
    {
        Debug.Assert(bytes >= 0 && capacity <= MaxOffset);
        int offset = Offset;
        int index = Index;
        if (!IsOpen || bytes > capacity - offset || Count(index) == MaxCount)
        {
            next = this;
            return false;
        }

        next = new JournalReservationState(Value + ((long)bytes << OffsetShift) + CountIncrement(index));
        return true;
    }

    /// <summary>The word after dropping one reference on <paramref name="buffer"/> (asserts it had one).</summary>
    public JournalReservationState Release(int buffer)
    {
        Debug.Assert(Count(buffer) > 0, "buffer reference released below zero");
        return new JournalReservationState(Value - CountIncrement(buffer));
    }

    /// <summary>The word with the current entry closed (the fill offset is replaced by the closed marker).</summary>
    public JournalReservationState Close()
    {
        Debug.Assert(IsOpen);
        return WithOffset(ClosedOffset);
    }

    /// <summary>The word marked failed / shut down: no reservation succeeds any more.</summary>
    public JournalReservationState Fail() => WithOffset(ErrorOffset);

    /// <summary>
    /// The word with a new entry open in the next buffer: index advanced, offset zero, and one
    /// reference on the new buffer for the open entry itself. The buffer must be idle (count zero)
    /// and the previous entry closed.
    /// </summary>
    public JournalReservationState OpenNext()
    {
        Debug.Assert(IsClosed, "opening an entry while the current one is open");
        int next = (Index + 1) & (int)IndexMask;
        Debug.Assert(Count(next) == 0, "opening an entry in a buffer that still has references");
        long value = Value & ~(IndexMask << IndexShift) & ~(OffsetMask << OffsetShift);
        value |= (long)next << IndexShift;
        return new JournalReservationState(value + CountIncrement(next));
    }

    /// <summary>The word with the oldest unwritten index advanced by one (a write completed).</summary>
    public JournalReservationState AdvanceUnwritten()
    {
        int next = (UnwrittenIndex + 1) & (int)IndexMask;
        long value = Value & ~(IndexMask << UnwrittenShift);
        return new JournalReservationState(value | ((long)next << UnwrittenShift));
    }

    private JournalReservationState WithOffset(int offset) =>
        new((Value & ~(OffsetMask << OffsetShift)) | ((long)offset << OffsetShift));

    public bool Equals(JournalReservationState other) => Value == other.Value;

    public override bool Equals(object? obj) => obj is JournalReservationState other && Equals(other);

    public override int GetHashCode() => Value.GetHashCode();

    public override string ToString() =>
        $"idx={Index} unwritten={UnwrittenIndex} offset={(IsClosed ? "closed" : IsError ? "error" : Offset.ToString(System.Globalization.CultureInfo.InvariantCulture))} counts=[{Count(0)},{Count(1)},{Count(2)},{Count(3)}]";
}
