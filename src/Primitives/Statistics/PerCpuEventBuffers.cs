using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Primitives.Internal;

namespace Primitives.Statistics;

/// <summary>
/// One buffer of <see cref="Capacity"/> events per processor slot, each guarded by a one-word
/// slot lock taken by compare-and-swap: the buffered recording path of <see cref="TimeStats"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Exactly once, by construction.</b> Entries [0, count) of a slot are recorded and not yet
/// taken; only the holder of the slot lock reads or writes them. Taking events out
/// (<see cref="TakeFullAndRelease"/>, <see cref="Drain"/>) copies exactly that prefix and resets the
/// count to 0 before the slot is released, so every event is handed out once and a stale entry
/// past the count can never be read (the bug of the reference's flush, which walked all 31).
/// </para>
/// <para>
/// <b>Sharing a slot.</b> The processor id is a hint (<see cref="PerCpu"/>): two threads can pick
/// the same slot. <see cref="TryAppend"/> never waits: on a held slot it returns
/// <see cref="AppendResult.Busy"/> and the caller records some other way. <see cref="Drain"/> does
/// wait, briefly: a holder keeps a slot for a few instructions and never blocks while holding it.
/// </para>
/// <para>
/// <b>Memory ordering.</b> The acquiring CAS is a full fence, so the previous holder's entries and
/// count are visible to the new holder; the releasing <see cref="Volatile.Write(ref int, int)"/> pairs
/// with it and publishes this holder's writes.
/// </para>
/// </remarks>
internal sealed class PerCpuEventBuffers
{
    /// <summary>Events per slot (see <see cref="TimeStats.BufferCapacity"/>).</summary>
    public const int Capacity = TimeStats.BufferCapacity;

    private readonly Slot[] _slots = new Slot[PerCpu.SlotCount];

    /// <summary>What <see cref="TryAppend"/> did.</summary>
    public enum AppendResult
    {
        /// <summary>The event is in the buffer and the slot is released.</summary>
        Appended,

        /// <summary>The event filled the buffer; the caller still holds the slot and must call <see cref="TakeFullAndRelease"/>.</summary>
        Full,

        /// <summary>Another thread holds the slot; nothing was recorded.</summary>
        Busy,
    }

    /// <summary>The number of slots.</summary>
    public int SlotCount => _slots.Length;

    /// <summary>Appends an event to the calling processor's slot, whose index is returned in <paramref name="slot"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public AppendResult TryAppend(long start, long end, out int slot)
    {
        slot = PerCpu.CurrentSlot();
        ref Slot s = ref _slots[slot];
        if (!TryAcquire(ref s))
        {
            return AppendResult.Busy;
        }

        int count = s.Count;
        Debug.Assert((uint)count < Capacity);
        s.Entries[count] = new TimedEvent(start, end);
        count++;
        s.Count = count;
        if (count == Capacity)
        {
            return AppendResult.Full; // still held
        }

        Release(ref s);
        return AppendResult.Appended;
    }

    /// <summary>
    /// Copies the full buffer of <paramref name="slot"/>, which the caller holds after
    /// <see cref="AppendResult.Full"/>, into <paramref name="destination"/>, empties it and releases the slot.
    /// </summary>
    public void TakeFullAndRelease(int slot, Span<TimedEvent> destination)
    {
        ref Slot s = ref _slots[slot];
        Debug.Assert(s.SlotLock == 1 && s.Count == Capacity);
        ((ReadOnlySpan<TimedEvent>)s.Entries).CopyTo(destination);
        s.Count = 0;
        Release(ref s);
    }

    /// <summary>
    /// Waits for <paramref name="slot"/>, copies its recorded events into <paramref name="destination"/>,
    /// empties it and releases it.
    /// </summary>
    /// <returns>The number of events copied: the filled prefix, never more.</returns>
    public int Drain(int slot, Span<TimedEvent> destination)
    {
        ref Slot s = ref _slots[slot];
        SpinWait spin = default;
        while (!TryAcquire(ref s))
        {
            spin.SpinOnce(sleep1Threshold: -1);
        }

        int count = s.Count;
        ((ReadOnlySpan<TimedEvent>)s.Entries)[..count].CopyTo(destination);
        s.Count = 0;
        Release(ref s);
        return count;
    }

    /// <summary>Takes <paramref name="slot"/> if it is free (tests use it to stand for another thread on the slot).</summary>
    internal bool TryAcquire(int slot) => TryAcquire(ref _slots[slot]);

    /// <summary>Releases <paramref name="slot"/>, held by the caller.</summary>
    internal void Release(int slot) => Release(ref _slots[slot]);

    /// <summary>The events recorded in <paramref name="slot"/> and not yet taken (a racy read, for tests).</summary>
    internal int PendingCount(int slot) => Volatile.Read(ref _slots[slot].Count);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool TryAcquire(ref Slot slot) =>
        Interlocked.CompareExchange(ref slot.SlotLock, 1, 0) == 0; // acquire: full fence, pairs with Release

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Release(ref Slot slot) =>
        Volatile.Write(ref slot.SlotLock, 0); // release: publishes entries and count to the next TryAcquire

    /// <summary>The events of one slot.</summary>
    [InlineArray(Capacity)]
    private struct Entries
    {
        private TimedEvent _element0;
    }

    /// <summary>
    /// One slot's buffer. The first <see cref="PerCpu.SlotSize"/> bytes are padding, so the hot
    /// words of a slot never share a cache line (pair) with the previous slot's entries or, for
    /// slot 0, with the array's header and length, which every recorder reads.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = SlotLockOffset + 8 + (Capacity * 16))]
    private struct Slot
    {
        private const int SlotLockOffset = PerCpu.SlotSize;

        /// <summary>0: free; 1: held by the thread appending or taking events. Changed only by <see cref="TryAcquire(ref Slot)"/> and <see cref="Release(ref Slot)"/>.</summary>
        [FieldOffset(SlotLockOffset)]
        public int SlotLock;

        /// <summary>Entries [0, Count) are recorded and not yet taken; read and written only by the slot's holder.</summary>
        [FieldOffset(SlotLockOffset + 4)]
        public int Count;

        /// <summary>The events; only the first <see cref="Count"/> are meaningful.</summary>
        [FieldOffset(SlotLockOffset + 8)]
        public Entries Entries;
    }
}
