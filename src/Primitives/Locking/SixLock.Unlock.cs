#if PRIMITIVES_MUTANTS
using Primitives.Internal;
#endif

using System.Runtime.CompilerServices;

namespace Primitives.Locking;

// Release paths. Each validates before it changes anything, releases with one interlocked
// operation on the word (a full fence: the critical section cannot move below it), and decides
// whom to hand over to from the value that operation returned (never from an earlier read).
public sealed partial class SixLock
{
    private void UnlockCore(int type, long owner)
    {
        switch (type)
        {
            case ReadType:
                UnlockRead();
                break;
            case IntentType:
                UnlockIntent(owner);
                break;
            case WriteType:
                UnlockWrite(owner);
                break;
            default:
                throw BadType((SixLockType)type);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void UnlockRead()
    {
        if (_readers is not null)
        {
            UnlockReadPerCpu();
            return;
        }

        uint old = (uint)Volatile.Read(ref _state);
        uint now;
        while (true)
        {
            var s = new State(old);
            if (s.Readers == 0)
            {
                ThrowNotHeld(ReadType);
            }

            now = s.RemoveReader().Value;

            // Release: the interlocked operation is a full fence; the critical section cannot move below it.
            uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)now, (int)old);
            if (seen == old)
            {
                break;
            }

            old = seen;
        }

        // `now` is the word our release produced: a writer that set its waiting bit before our
        // release is in it; one that sets it later retries its trylock after that and sees us gone.
        if ((now & (State.ReaderMask | State.WaitingWrite)) == State.WaitingWrite)
        {
            WakeWaiters(TypeTable.UnlockWakeup[ReadType]);
        }
    }

    private void UnlockIntent(long owner)
    {
        var s = new State((uint)Volatile.Read(ref _state));
        if (!s.IsIntentHeld || _disposed)
        {
            ThrowNotHeld(IntentType);
        }

        ThrowIfNotOwner(owner, IntentType);
        if (_writeCount != 0 || s.IsWriteHeld)
        {
            throw new SixLockException("Intent cannot be released while write is held; release write first.");
        }

        if (_intentCount > 1)
        {
            _intentCount--;
            return;
        }

        // Reset before the release below publishes them; the next holder writes its own.
        _intentCount = 0;
        _owner = NoOwner;
        uint now;
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(SixLockMutants.PlainLostWakeup))
        {
            // Mutant: the waiting bits are taken from a snapshot read before the release, so a
            // waiter that queues between the snapshot and the release is never woken.
            uint snapshot = (uint)Volatile.Read(ref _state);
            Interlocked.Add(ref _state, -(int)State.IntentHeld);
            now = snapshot & ~State.IntentHeld;
        }
        else
#endif
        {
            // Release: full fence. `now` is exact: see UnlockRead for why a waiter cannot be missed.
            now = (uint)Interlocked.Add(ref _state, -(int)State.IntentHeld);
        }

        AfterExclusiveUnlock(now, IntentType);
    }

    private void UnlockWrite(long owner)
    {
        var s = new State((uint)Volatile.Read(ref _state));
        if (!s.IsWriteHeld || _writeCount == 0 || _disposed)
        {
            ThrowNotHeld(WriteType);
        }

        ThrowIfNotOwner(owner, WriteType);
        if (_writeCount > 1)
        {
            _writeCount--;
            return;
        }

        _writeCount = 0;

        // Release: orders the bump before the release of write below (itself a full fence), so a
        // relocker whose trylock sees write released also sees the new sequence (TryRelock).
        Volatile.Write(ref _seq, _seq + 1);
        uint now = (uint)Interlocked.Add(ref _state, -(int)State.WriteHeld);
        AfterExclusiveUnlock(now, WriteType);
    }

    /// <summary>After intent or write was released: clears no-spin and hands over to the waiters it lets in.</summary>
    private void AfterExclusiveUnlock(uint now, int type)
    {
        if ((now & State.NoSpin) != 0)
        {
            Interlocked.And(ref _state, unchecked((int)~State.NoSpin));
        }

        int wake = TypeTable.UnlockWakeup[type];
        if ((now & State.WaitingBit(wake)) != 0)
        {
            WakeWaiters(wake);
        }
    }

    private void ThrowIfNotOwner(long owner, int type)
    {
        long holder = Volatile.Read(ref _owner);
        if (holder != owner)
        {
            throw new SixLockException(holder < 0 && owner > 0
                ? $"{(SixLockType)type} is held by an asynchronous owner: release it through the SixLockHandle returned by LockAsync."
                : $"{(SixLockType)type} is held by another owner (thread or asynchronous handle) than the caller.");
        }
    }
}
