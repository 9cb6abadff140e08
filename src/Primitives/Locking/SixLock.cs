using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

using Primitives.Internal;

namespace Primitives.Locking;

/// <summary>
/// A shared/intent/exclusive lock after the bcachefs six lock: <see cref="SixLockType.Read"/> is
/// shared, <see cref="SixLockType.Intent"/> excludes other intent holders but admits readers, and
/// <see cref="SixLockType.Write"/> excludes readers and may only be taken by the intent holder.
/// A sequence number (<see cref="Seq"/>) bumped on every write unlock lets a caller drop its locks
/// and cheaply re-validate them later with <see cref="TryRelock"/>.
/// </summary>
/// <remarks>
/// <para><b>Thread safety.</b> Every member is thread-safe except <see cref="Dispose"/>, which must
/// not race with other calls.</para>
/// <para><b>Fairness.</b> Waiters queue in FIFO order per type and the unlocking thread acquires the
/// lock on their behalf (handoff), so a woken waiter never has to compete again. Newcomers may still
/// barge in on the fast path ahead of queued waiters (it avoids lock convoys), except that readers
/// cannot pass a writer: an intent holder asking for write sets the write bit before it waits for
/// readers to drain (writer preference). The first waiter of read or intent spins for up to
/// <see cref="SpinLimitMicroseconds"/> µs on its own record before it sleeps; write never spins.</para>
/// <para><b>Ownership.</b> Readers are counted, not owned: any caller may release a read hold.
/// Intent and write are owned by an owner token: the managed thread id for synchronous callers,
/// and for asynchronous callers a token carried by the <see cref="SixLockHandle"/> that
/// <see cref="LockAsync"/> returns (asynchronous holders are not tied to a thread). Releasing,
/// recursing on or writing under intent with another owner throws <see cref="SixLockException"/>.</para>
/// <para><b>Misuse</b> throws <see cref="SixLockException"/> in every build, before any state changes.</para>
/// </remarks>
[DebuggerDisplay("{DebuggerDisplay,nq}")]
public sealed partial class SixLock : IDisposable
{
    /// <summary>How long the first waiter spins on its own record before sleeping, in microseconds.</summary>
    /// <remarks>
    /// The reference spins for about 10 µs and stops when the owner is not running; .NET cannot see
    /// the owner, so the bound is time alone (checked every 16 iterations, plus an iteration cap).
    /// </remarks>
    public const int SpinLimitMicroseconds = 10;

    /// <summary>Owner token asking for a fresh asynchronous token on acquisition.</summary>
    private const long AsyncOwnerPending = long.MinValue;

    /// <summary>Owner token of nobody.</summary>
    private const long NoOwner = 0;

    private int _state; // see State for layout

    /// <summary>Bumped on every final write unlock, before write is released (see <see cref="UnlockWrite"/>).</summary>
    private int _seq;

    /// <summary>Owner token of the intent (and write) holder; written by the acquirer, or by the unlocker on the waiter's behalf before it publishes the handoff; reset before intent is released.</summary>
    private long _owner;

    /// <summary>Counts intent acquisitions; only the intent holder writes it. Source of asynchronous owner tokens.</summary>
    private long _intentEpoch;

    /// <summary>Intent holds of the owner (1 + recursion); only the intent holder writes it.</summary>
    private int _intentCount;

    /// <summary>Write holds of the owner (1 + recursion), 0 while write is not held (even while the write bit drains readers).</summary>
    private int _writeCount;

    /// <summary>Per-processor reader counts in <see cref="SixLockOptions.PerCpuReaders"/> mode, otherwise <see langword="null"/>.</summary>
    private readonly PaddedInt64[]? _readers;

    private readonly string? _name;

    private volatile bool _disposed;

    /// <summary>Creates an unlocked lock.</summary>
    /// <param name="options">Reader mode; see <see cref="SixLockOptions"/>.</param>
    /// <param name="name">
    /// Optional lock class name, shown by the debugger, reported by the contention events and used
    /// by the lock-order validator; locks of the same class share one name.
    /// </param>
    public SixLock(SixLockOptions options = SixLockOptions.None, string? name = null)
    {
        if ((options & SixLockOptions.PerCpuReaders) != 0)
        {
            _readers = new PaddedInt64[PerCpu.SlotCount];
        }

        _name = name;
    }

    /// <summary>The lock class name given to the constructor, or <see langword="null"/>.</summary>
    public string? Name => _name;

    /// <summary>Whether readers count in per-processor slots (<see cref="SixLockOptions.PerCpuReaders"/>).</summary>
    public bool IsPerCpuReaders => _readers is not null;

    /// <summary>
    /// The sequence number: bumped every time write is released. Save it before dropping a lock and
    /// pass it to <see cref="TryRelock"/> to retake the lock only if nobody wrote in between.
    /// </summary>
    public int Seq => Volatile.Read(ref _seq); // acquire: pairs with the release in UnlockWrite

    /// <summary>Takes <paramref name="type"/> if it is free right now; never waits.</summary>
    /// <param name="type">The type to take.</param>
    /// <returns><see langword="true"/> if the lock was taken.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">Write was asked without holding intent (or while already holding write), the reader count would overflow, or intent was asked by its own holder.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    /// <remarks>May barge in ahead of queued waiters (not ahead of a writer, for readers).</remarks>
    public bool TryLock(SixLockType type)
    {
        bool taken = (int)type switch
        {
            ReadType => TryLockRead(),
            IntentType => TryLockIntentChecked(CurrentThreadOwner),
            WriteType => TryLockWrite(CurrentThreadOwner),
            _ => throw BadType(type),
        };
        if (!taken)
        {
            ThrowIfDisposed();
        }

        return taken;
    }

    /// <summary>Takes <paramref name="type"/>, waiting as long as needed.</summary>
    /// <param name="type">The type to take.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">Write was asked without holding intent (or while already holding write), intent was asked by its holder (a self-deadlock), or the reader count would overflow.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    /// <remarks>Queued waiters are served in FIFO order per type; see the class remarks for fairness.</remarks>
    public void Lock(SixLockType type)
    {
        long owner = CurrentThreadOwner;
        if (!TryLockFast((int)type, owner))
        {
            LockSlow(new WaitRequest((int)type, owner, null, null, long.MaxValue, default));
        }
    }

    /// <summary>Releases one hold of <paramref name="type"/>.</summary>
    /// <param name="type">The type to release.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">
    /// The type is not held; intent or write is held by another owner (another thread, or an
    /// asynchronous holder, which must release through its <see cref="SixLockHandle"/>); or intent is
    /// released while write is still held.
    /// </exception>
    /// <remarks>Hands the lock over to queued waiters that can now run (see the class remarks).</remarks>
    public void Unlock(SixLockType type) => UnlockCore((int)type, CurrentThreadOwner);

    /// <summary>
    /// Retakes <paramref name="type"/> only if nobody released write since <paramref name="seq"/> was
    /// read from <see cref="Seq"/>: checks the sequence, tries the lock, then checks again.
    /// </summary>
    /// <param name="type">The type to retake.</param>
    /// <param name="seq">A value read earlier from <see cref="Seq"/>.</param>
    /// <returns><see langword="true"/> if the lock was taken and the sequence had not moved.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="type"/> is not a <see cref="SixLockType"/>.</exception>
    /// <exception cref="SixLockException">Same misuse as <see cref="TryLock(SixLockType)"/>.</exception>
    /// <exception cref="ObjectDisposedException">The lock is disposed.</exception>
    /// <remarks>Never waits. Used by btree iterators to re-validate a whole path after blocking.</remarks>
    public bool TryRelock(SixLockType type, int seq)
    {
        if (Seq != seq)
        {
            ThrowIfDisposed();
            return false;
        }

        if (!TryLock(type))
        {
            return false;
        }

        // A write released after the first check bumped _seq before releasing write (UnlockWrite);
        // our trylock is an interlocked operation on the same word, so the read below sees it.
        if (Seq != seq)
        {
            Unlock(type);
            return false;
        }

        return true;
    }

    /// <summary>A snapshot of the hold counts.</summary>
    /// <returns>The readers, the intent count (held plus recursion) and the write count (held plus recursion).</returns>
    /// <remarks>The values are only stable while the caller holds intent or write.</remarks>
    public SixLockCounts Counts()
    {
        if (_disposed)
        {
            return default;
        }

        var s = new State((uint)Volatile.Read(ref _state));
        return new SixLockCounts(
            _readers is null ? (int)s.Readers : (int)SumReaders(),
            s.IsIntentHeld ? Volatile.Read(ref _intentCount) : 0,
            s.IsWriteHeld ? Volatile.Read(ref _writeCount) : 0);
    }

    /// <summary>Whether any reader holds the lock.</summary>
    public bool IsReadLocked => Counts().Readers > 0;

    /// <summary>Whether anyone holds intent.</summary>
    public bool IsIntentLocked => Counts().Intent > 0;

    /// <summary>Whether anyone holds write (a writer still draining readers does not count).</summary>
    public bool IsWriteLocked => Counts().Write > 0;

    /// <summary>Whether the lock is held in any way.</summary>
    public bool IsHeld
    {
        get
        {
            var c = Counts();
            return c.Readers + c.Intent + c.Write > 0;
        }
    }

    /// <summary>Whether the calling thread holds intent (taken synchronously).</summary>
    public bool IsIntentHeldByCurrentThread => HoldsIntent(CurrentThreadOwner);

    /// <summary>Whether the calling thread holds write (taken synchronously).</summary>
    public bool IsWriteHeldByCurrentThread => HoldsIntent(CurrentThreadOwner) && Volatile.Read(ref _writeCount) > 0;

    /// <summary>
    /// Marks the lock disposed: every later acquisition throws <see cref="ObjectDisposedException"/>.
    /// </summary>
    /// <exception cref="SixLockException">The lock is still held or has waiters.</exception>
    /// <remarks>Not thread-safe: no other call may race with it. Calling it again does nothing.</remarks>
    public void Dispose()
    {
        lock (_waitLock)
        {
            if (_disposed)
            {
                return;
            }

            uint old = (uint)Volatile.Read(ref _state) & ~State.NoSpin;
            if (old != 0 || Interlocked.CompareExchange(ref _state, unchecked((int)State.Disposed), (int)old) != (int)old)
            {
                throw new SixLockException("The SixLock is still held or has waiters and cannot be disposed.");
            }

            // Per-CPU readers do not show in the word: the interlocked store above is a full fence
            // that orders it before the sum; it pairs with the reader's increment before its state
            // read (TryLockReadPerCpu), so either we see the reader or it sees the disposed word.
            if (_readers is not null && SumReaders() != 0)
            {
                Interlocked.And(ref _state, unchecked((int)~(State.IntentHeld | State.WriteHeld)));
                WakeAllLocked();
                throw new SixLockException("The SixLock is still held by readers and cannot be disposed.");
            }

            _disposed = true;
        }
    }

    private static long CurrentThreadOwner => Environment.CurrentManagedThreadId;

    private string DebuggerDisplay
    {
        get
        {
            var c = Counts();
            return $"{_name ?? "SixLock"}: read={c.Readers} intent={c.Intent} write={c.Write} seq={Seq}";
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryLockFast(int type, long owner) => type switch
    {
        ReadType => TryLockRead(),
        IntentType => TryLockIntentChecked(owner),
        WriteType => TryLockWrite(owner),
        _ => throw BadType((SixLockType)type),
    };

    private bool TryLockIntentChecked(long owner)
    {
        if (TryLockIntent(owner, out _))
        {
            return true;
        }

        if (owner > 0 && HoldsIntent(owner))
        {
            throw new SixLockException("The calling thread already holds intent on this SixLock; waiting for it again would deadlock. Use Increment(SixLockType.Intent) to recurse.");
        }

        return false;
    }

    /// <summary>Read fast path: one compare-exchange that fails on write held (writer preference).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool TryLockRead()
    {
        if (_readers is not null)
        {
            return TryLockReadPerCpu();
        }

        uint old = (uint)Volatile.Read(ref _state);
        if ((old & State.WriteHeld) == 0 && (old & State.ReaderMask) != State.ReaderMask)
        {
            // Acquire: the interlocked operation is a full fence; the critical section cannot move above it.
            if ((uint)Interlocked.CompareExchange(ref _state, (int)new State(old).AddReader().Value, (int)old) == old)
            {
                return true;
            }
        }

        return TryLockReadLoop();
    }

    private bool TryLockReadLoop()
    {
        uint old = (uint)Volatile.Read(ref _state);
        while (true)
        {
            var s = new State(old);
            if (s.IsWriteHeld)
            {
                return false;
            }

            if (s.Readers == State.ReaderMask)
            {
                throw new SixLockException($"The SixLock reader count would exceed its limit of {State.ReaderMask}.");
            }

            uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)s.AddReader().Value, (int)old);
            if (seen == old)
            {
                return true;
            }

            old = seen;
        }
    }

    /// <summary>Takes intent if free; on success records the owner and returns its token.</summary>
    private bool TryLockIntent(long owner, out long token)
    {
        uint old = (uint)Volatile.Read(ref _state);
        while ((old & State.IntentHeld) == 0)
        {
            uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)new State(old).SetIntent().Value, (int)old);
            if (seen == old)
            {
                token = OnIntentAcquired(owner);
                return true;
            }

            old = seen;
        }

        token = NoOwner;
        return false;
    }

    /// <summary>
    /// Records the new intent holder; called by the acquirer right after its compare-exchange, or by
    /// an unlocker on a waiter's behalf under the wait-list lock before it publishes the handoff.
    /// </summary>
    private long OnIntentAcquired(long owner)
    {
        long epoch = ++_intentEpoch;
        if (owner == AsyncOwnerPending)
        {
            owner = -epoch;
        }

        _owner = owner;
        _intentCount = 1;
        return owner;
    }

    private bool HoldsIntent(long owner) =>
        owner != NoOwner && (Volatile.Read(ref _state) & (int)State.IntentHeld) != 0 && !_disposed && Volatile.Read(ref _owner) == owner;

    /// <summary>Checks that <paramref name="owner"/> may ask for write: it holds intent and not write yet.</summary>
    private void ValidateWriteRequest(long owner)
    {
        if (!HoldsIntent(owner))
        {
            ThrowIfDisposed();
            throw new SixLockException(
                Volatile.Read(ref _owner) < 0 && owner > 0
                    ? "Write requires intent held by the caller; intent is held by an asynchronous owner: use WriteAsync with its SixLockHandle."
                    : "Write requires intent held by the caller: take SixLockType.Intent first.");
        }

        if (_writeCount != 0)
        {
            throw new SixLockException("The caller already holds write on this SixLock; use Increment(SixLockType.Write) to recurse.");
        }
    }

    private bool TryLockWrite(long owner)
    {
        ValidateWriteRequest(owner);
        if (_readers is not null)
        {
            return TryLockWritePerCpu();
        }

        uint old = (uint)Volatile.Read(ref _state);
        while ((old & TypeTable.FailMask[WriteType]) == 0)
        {
            uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)new State(old).SetWrite().Value, (int)old);
            if (seen == old)
            {
                _writeCount = 1;
                return true;
            }

            old = seen;
        }

        return false;
    }

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

    private void ThrowIfDisposed()
    {
        if (_disposed)
        {
            ThrowDisposed();
        }
    }

    [DoesNotReturn]
    private void ThrowDisposed() => throw new ObjectDisposedException(_name ?? nameof(SixLock));

    [DoesNotReturn]
    private void ThrowNotHeld(int type)
    {
        ThrowIfDisposed();
        throw new SixLockException($"{(SixLockType)type} is not held on this SixLock.");
    }

    private static ArgumentOutOfRangeException BadType(SixLockType type) =>
        new(nameof(type), type, "Not a SixLockType.");
}
