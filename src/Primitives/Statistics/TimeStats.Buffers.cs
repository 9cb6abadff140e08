using System.Runtime.CompilerServices;

namespace Primitives.Statistics;

/// <summary>The buffered recording path of <see cref="TimeStats"/>: append, fold a full buffer, drain on read.</summary>
public sealed partial class TimeStats
{
    /// <summary>
    /// Appends an event to the calling processor's buffer, folding the buffer in when it fills.
    /// Returns <see langword="false"/>, having recorded nothing, when another thread holds the slot.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryRecordBuffered(PerCpuEventBuffers buffers, long start, long end)
    {
        switch (buffers.TryAppend(start, end, out int slot))
        {
            case PerCpuEventBuffers.AppendResult.Appended:
                return true;
            case PerCpuEventBuffers.AppendResult.Full:
                FoldFullBuffer(buffers, slot);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// Takes the events out of a full buffer (which releases its slot) and folds them in, so a slot
    /// lock is never held while waiting for <see cref="_lock"/> (lock order: _lock, then a slot).
    /// Kept out of line: its 496-byte copy would otherwise be zeroed on every call of the hot path.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void FoldFullBuffer(PerCpuEventBuffers buffers, int slot)
    {
        Span<TimedEvent> events = stackalloc TimedEvent[PerCpuEventBuffers.Capacity];
        buffers.TakeFullAndRelease(slot, events);
        lock (_lock)
        {
            Fold(events);
        }
    }

    /// <summary>Folds the recorded events of every buffer into the statistics. Caller holds <see cref="_lock"/>.</summary>
    private void DrainBuffers()
    {
        PerCpuEventBuffers? buffers = _buffers;
        if (buffers is null)
        {
            return;
        }

        Span<TimedEvent> events = stackalloc TimedEvent[PerCpuEventBuffers.Capacity];
        for (int slot = 0; slot < buffers.SlotCount; slot++)
        {
            int count = buffers.Drain(slot, events);
            Fold(events[..count]); // the filled prefix only
        }
    }
}
