using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Primitives.Internal;

namespace Primitives.Statistics;

/// <summary>The per-processor event buffers of <see cref="TimeStats"/>: append, flush when full, drain on read.</summary>
public sealed partial class TimeStats
{
    /// <summary>
    /// Appends an event to the calling processor's buffer, folding the buffer in when it fills.
    /// Returns <see langword="false"/>, having recorded nothing, when another thread holds the slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryRecordBuffered(EventBuffer[] buffers, long start, long end)
    {
        ref EventBuffer buffer = ref buffers[PerCpu.CurrentSlot()];
        // Acquire: a full fence (CAS), so the previous holder's entries and count are visible.
        if (Interlocked.CompareExchange(ref buffer.SlotLock, 1, 0) != 0)
        {
            return false;
        }

        int count = buffer.Count;
        Debug.Assert((uint)count < BufferCapacity);
        buffer.Entries[count] = new Event(start, end);
        count++;
        if (count < BufferCapacity)
        {
            buffer.Count = count;
            Volatile.Write(ref buffer.SlotLock, 0); // release: publishes the entry and count to the next holder
            return true;
        }

        FlushFullBuffer(ref buffer);
        return true;
    }

    /// <summary>
    /// Takes the events out of a full buffer and empties it before releasing the slot, so they are
    /// consumed exactly once, then folds them in without holding the slot (lock order: _lock, then
    /// slot). Caller holds the slot. Kept out of line: its 496-byte copy would otherwise be zeroed
    /// on every call of the hot path.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FlushFullBuffer(ref EventBuffer buffer)
    {
        EventEntries full = buffer.Entries;
        buffer.Count = 0;
        Volatile.Write(ref buffer.SlotLock, 0); // release, as in TryRecordBuffered
        lock (_lock)
        {
            Fold(full);
        }
    }

    /// <summary>Folds the filled prefix of every buffer into the statistics. Caller holds <see cref="_lock"/>.</summary>
    private void DrainBuffers()
    {
        EventBuffer[]? buffers = _buffers;
        if (buffers is null)
        {
            return;
        }

        for (int slot = 0; slot < buffers.Length; slot++)
        {
            ref EventBuffer buffer = ref buffers[slot];
            // A holder keeps the slot for a few instructions and never waits for _lock while holding
            // it, so this spin is short and cannot deadlock.
            SpinWait spin = default;
            while (Interlocked.CompareExchange(ref buffer.SlotLock, 1, 0) != 0)
            {
                spin.SpinOnce(sleep1Threshold: -1);
            }

            int count = buffer.Count;
            EventEntries entries = buffer.Entries;
            buffer.Count = 0;
            Volatile.Write(ref buffer.SlotLock, 0); // release: the emptied buffer, to the next recorder
            Fold(((ReadOnlySpan<Event>)entries)[..count]); // the filled prefix only
        }
    }

    /// <summary>One recorded event, in Stopwatch ticks.</summary>
    private readonly record struct Event(long Start, long End);

    /// <summary>The events of one buffer.</summary>
    [InlineArray(BufferCapacity)]
    private struct EventEntries
    {
        private Event _element0;
    }

    /// <summary>
    /// One processor slot's buffer. The first <see cref="PerCpu.SlotSize"/> bytes are padding, so the
    /// hot words of a buffer never share a cache line (pair) with the previous buffer's entries or,
    /// for slot 0, with the array's header and length, which every recorder reads.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = SlotLockOffset + 8 + (BufferCapacity * 16))]
    private struct EventBuffer
    {
        private const int SlotLockOffset = PerCpu.SlotSize;

        /// <summary>0: free; 1: held by the thread appending or draining. Taken only by CAS.</summary>
        [FieldOffset(SlotLockOffset)]
        public int SlotLock;

        /// <summary>Entries [0, Count) are recorded and not yet folded in; read and written only by the slot's holder.</summary>
        [FieldOffset(SlotLockOffset + 4)]
        public int Count;

        /// <summary>The events; only the first <see cref="Count"/> are meaningful.</summary>
        [FieldOffset(SlotLockOffset + 8)]
        public EventEntries Entries;
    }
}
