using Primitives.Internal;

namespace Primitives.Locking;

// Per-CPU reader mode (SixLockOptions.PerCpuReaders). Readers count in padded per-processor slots
// instead of the state word; only the sum matters, so a reader that migrates between processors
// (or unlocks on another slot than it locked) is harmless. Readers and the writer meet in a
// Dekker-style protocol, each side writing its own location, then a full fence, then reading the
// other side's:
//   reader: increment slot; fence; read the write bit. Set: decrement slot; fence; read the
//           waiting-write bit and wake the writer (its sum may have seen our temporary increment).
//   writer: set the write bit; fence; sum the slots. Waiting: set the waiting-write bit; fence;
//           sum again (TrySetWaitingAndLock -> ReadersDrained).
//   unlock: decrement slot (full fence); read the waiting-write bit; wake the writer.
// Store->load ordering needs a full fence: Interlocked operations are full fences in .NET.
public sealed partial class SixLock
{
    private bool TryLockReadPerCpu()
    {
        ref long slot = ref _readers![PerCpu.CurrentSlot()].Value;

        // Full fence: orders our increment before the read of the write bit below; pairs with the
        // fence between the writer's set of the write bit and its sum (SetWriteBitAndCheckReadersPerCpu).
        Interlocked.Increment(ref slot);
        if ((Volatile.Read(ref _state) & (int)State.WriteHeld) == 0)
        {
            return true;
        }

        ReadTrylockFailedPerCpu(ref slot);
        return false;
    }

    private void ReadTrylockFailedPerCpu(ref long slot)
    {
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(SixLockMutants.PerCpuTrylockLostWakeup))
        {
            // Mutant (Nov 2023 lost wakeup in the per-CPU read trylock): the waiting-write bit is
            // read before our slot is decremented, so a writer that queued in between because of our
            // temporary increment is never woken.
            bool writerWaited = (Volatile.Read(ref _state) & (int)State.WaitingWrite) != 0;
            Interlocked.Decrement(ref slot);
            if (writerWaited)
            {
                WakeWaiters(WriteType);
            }

            return;
        }
#endif

        // Full fence: orders the decrement before the read of the waiting-write bit; pairs with the
        // writer's interlocked set of that bit before its re-sum (TrySetWaitingAndLock).
        Interlocked.Decrement(ref slot);
        if ((Volatile.Read(ref _state) & (int)State.WaitingWrite) != 0)
        {
            WakeWaiters(WriteType);
        }
    }

    private void UnlockReadPerCpu()
    {
        ref long slot = ref _readers![PerCpu.CurrentSlot()].Value;

        // Validation before the change: cheap when our own slot holds a count; otherwise the sum
        // (only concurrent unbalanced unlocks can slip through, never a single one).
        if (Volatile.Read(ref slot) <= 0 && SumReaders() <= 0)
        {
            ThrowNotHeld(ReadType);
        }

        // Full fence: the critical section stays above it, and the decrement is ordered before the
        // read of the waiting-write bit; pairs with the writer's set of that bit before its re-sum.
        Interlocked.Decrement(ref slot);
        if ((Volatile.Read(ref _state) & (int)State.WaitingWrite) != 0)
        {
            WakeWaiters(WriteType);
        }
    }

    private bool TryLockWritePerCpu()
    {
        if (SetWriteBitAndCheckReadersPerCpu())
        {
            return true;
        }

        // Trylock only: take the bit back and let in the readers it blocked meanwhile.
        uint now = (uint)Interlocked.And(ref _state, unchecked((int)~State.WriteHeld)) & ~State.WriteHeld;
        if ((now & State.WaitingRead) != 0)
        {
            WakeWaiters(ReadType);
        }

        return false;
    }

    /// <summary>Sets the write bit, then sums the slots; on zero, write is held.</summary>
    private bool SetWriteBitAndCheckReadersPerCpu()
    {
        long sum;
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(SixLockMutants.WriterWaitingBitAfterSum))
        {
            // Mutant (Aug 2024 lost wakeup): the sum is read before the write bit is visible, so a
            // reader that increments in between and then reads the word sees no writer: both hold.
            sum = SumReaders();
            Interlocked.Or(ref _state, (int)State.WriteHeld);
        }
        else
#endif
        {
            // Full fence: orders the write bit before the sum; pairs with the fence between a
            // reader's increment and its read of the word (TryLockReadPerCpu).
            Interlocked.Or(ref _state, (int)State.WriteHeld);
            sum = SumReaders();
        }

        if (sum == 0)
        {
            _writeCount = 1;
            return true;
        }

        return false;
    }

    private long SumReaders()
    {
        var slots = _readers!;
        long sum = 0;
        for (int i = 0; i < slots.Length; i++)
        {
            sum += Volatile.Read(ref slots[i].Value);
        }

        return sum;
    }

    private void AddReadersPerCpu(int n)
    {
        ref long slot = ref _readers![PerCpu.CurrentSlot()].Value;
        if (n < 0 && SumReaders() + n < 0)
        {
            throw new SixLockException($"ReadersAdd({n}) would make the reader count negative.");
        }

        // Full fence; see UnlockReadPerCpu for what a decrement must be ordered before.
        Interlocked.Add(ref slot, n);
        if (n < 0 && (Volatile.Read(ref _state) & (int)State.WaitingWrite) != 0)
        {
            WakeWaiters(WriteType);
        }
    }
}
