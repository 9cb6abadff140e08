using Primitives.Internal;

namespace Primitives.Locking;

public sealed partial class SixLock
{
    /// <summary>
    /// Takes one more hold of a type the caller already holds: read while holding read or intent,
    /// intent recursion, write recursion. Never waits.
    /// </summary>
    /// <param name="type">The type to take again.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">The caller does not hold what the increment requires, or a count would overflow.</exception>
    /// <remarks>A read increment is granted even while a writer drains readers: the caller already holds read or intent.</remarks>
    public void Increment(SixLockType type)
    {
        long owner = CurrentThreadOwner;
        switch ((int)type)
        {
            case ReadType:
                if (!HoldsIntent(owner) && Counts().Readers == 0)
                {
                    throw new SixLockException("Increment(Read) requires the caller to hold read or intent.");
                }

                AddReaders(1);
                break;
            case IntentType:
                if (!HoldsIntent(owner))
                {
                    ThrowNotHeld(IntentType);
                }

                if (_intentCount == int.MaxValue)
                {
                    throw new SixLockException("The intent recursion count would overflow.");
                }

                _intentCount++;
                break;
            case WriteType:
                if (!HoldsIntent(owner) || _writeCount == 0)
                {
                    ThrowNotHeld(WriteType);
                }

                if (_writeCount == int.MaxValue)
                {
                    throw new SixLockException("The write recursion count would overflow.");
                }

                _writeCount++;
                break;
            default:
                throw BadType(type);
        }
    }

    /// <summary>Turns the caller's intent into a read hold without letting a writer in between.</summary>
    /// <exception cref="SixLockException">The caller does not hold intent, or holds write.</exception>
    /// <remarks>Equivalent to <c>Increment(Read)</c> then <c>Unlock(Intent)</c>; wakes the next intent waiter.</remarks>
    public void Downgrade()
    {
        long owner = CurrentThreadOwner;
        if (!HoldsIntent(owner))
        {
            ThrowIfDisposed();
            throw new SixLockException("Downgrade requires the caller to hold intent.");
        }

        if (_writeCount != 0)
        {
            throw new SixLockException("Downgrade is not allowed while write is held; release write first.");
        }

        AddReaders(1);
        UnlockIntent(owner);
    }

    /// <summary>Turns one of the caller's read holds into intent if intent is free; never waits.</summary>
    /// <returns><see langword="true"/> if the caller now holds intent instead of that read hold.</returns>
    /// <exception cref="SixLockException">No read hold is held, or the caller already holds intent.</exception>
    /// <remarks>Fails (rather than waits) when intent is held: two upgrading readers would deadlock.</remarks>
    public bool TryUpgrade()
    {
        long owner = CurrentThreadOwner;
        if (HoldsIntent(owner))
        {
            throw new SixLockException("TryUpgrade: the caller already holds intent.");
        }

        if (_readers is not null)
        {
            if (SumReaders() <= 0)
            {
                ThrowNotHeld(ReadType);
            }

            if (!TryLockIntent(owner, out _))
            {
                return false;
            }

            // Intent is ours, so no writer can be draining: dropping the read hold wakes nobody.
            Interlocked.Decrement(ref _readers[PerCpu.CurrentSlot()].Value);
            return true;
        }

        uint old = (uint)Volatile.Read(ref _state);
        while (true)
        {
            var s = new State(old);
            if (s.Readers == 0)
            {
                ThrowNotHeld(ReadType);
            }

            if (s.IsIntentHeld)
            {
                return false;
            }

            uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)s.RemoveReader().SetIntent().Value, (int)old);
            if (seen == old)
            {
                OnIntentAcquired(owner);
                return true;
            }

            old = seen;
        }
    }

    /// <summary>Converts a held read into intent (<see cref="TryUpgrade"/>) or intent into read (<see cref="Downgrade"/>).</summary>
    /// <param name="from">The type the caller holds.</param>
    /// <param name="to">The type it wants instead.</param>
    /// <returns><see langword="true"/> if the caller now holds <paramref name="to"/> instead of <paramref name="from"/>.</returns>
    /// <exception cref="ArgumentException">Either type is <see cref="SixLockType.Write"/> (take or release write directly).</exception>
    /// <exception cref="SixLockException">The caller does not hold <paramref name="from"/>.</exception>
    public bool TryConvert(SixLockType from, SixLockType to)
    {
        if (from == SixLockType.Write || to == SixLockType.Write || (uint)from > (uint)SixLockType.Write || (uint)to > (uint)SixLockType.Write)
        {
            throw new ArgumentException("Only Read and Intent convert into each other.", from == SixLockType.Write || (uint)from > 2 ? nameof(from) : nameof(to));
        }

        if (from == to)
        {
            if (from == SixLockType.Read ? Counts().Readers == 0 : !HoldsIntent(CurrentThreadOwner))
            {
                ThrowNotHeld((int)from);
            }

            return true;
        }

        if (from == SixLockType.Read)
        {
            return TryUpgrade();
        }

        Downgrade();
        return true;
    }

    /// <summary>
    /// Adds <paramref name="n"/> (possibly negative) to the reader count, so an upper layer can take its
    /// own read holds out (to take write on a node it also reads) and put them back.
    /// </summary>
    /// <param name="n">Read holds to add or, if negative, remove.</param>
    /// <exception cref="SixLockException">The count would become negative or exceed its 26-bit limit.</exception>
    /// <remarks>Ignores the write bit: the caller owns the holds it moves. Removing the last holds lets a draining writer in.</remarks>
    public void ReadersAdd(int n)
    {
        if (n != 0)
        {
            AddReaders(n);
        }
    }

    private void AddReaders(int n)
    {
        if (_readers is not null)
        {
            AddReadersPerCpu(n);
            return;
        }

        uint old = (uint)Volatile.Read(ref _state);
        uint now;
        while (true)
        {
            long readers = (long)new State(old).Readers + n;
            if (readers < 0 || readers > State.ReaderMask)
            {
                throw new SixLockException($"ReadersAdd({n}) would take the reader count to {readers}, outside 0..{State.ReaderMask}.");
            }

            now = (old & ~State.ReaderMask) | (uint)readers;
            uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)now, (int)old);
            if (seen == old)
            {
                break;
            }

            old = seen;
        }

        if ((now & (State.ReaderMask | State.WaitingWrite)) == State.WaitingWrite)
        {
            WakeWaiters(WriteType);
        }
    }
}
