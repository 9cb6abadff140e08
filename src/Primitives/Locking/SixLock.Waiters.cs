using System.Diagnostics;

using Primitives.Internal;

namespace Primitives.Locking;

public sealed partial class SixLock
{
    /// <summary>Guards the wait lists and every change of a waiting bit. A plain monitor (visible to Coyote).</summary>
    private readonly object _waitLock = new();

    /// <summary>FIFO wait list heads, one per type; guarded by <see cref="_waitLock"/>.</summary>
    private readonly Waiter?[] _heads = new Waiter?[3];

    /// <summary>FIFO wait list tails, one per type; guarded by <see cref="_waitLock"/>.</summary>
    private readonly Waiter?[] _tails = new Waiter?[3];

    /// <summary>Start time of the newest waiter, to keep start times strictly increasing; guarded by <see cref="_waitLock"/>.</summary>
    private long _lastStartTimestamp;

    /// <summary>
    /// One queued acquisition. Owner: the waiting caller, except that while the record is linked the
    /// unlocker holding <see cref="_waitLock"/> may unlink it and publish <see cref="Acquired"/>.
    /// After that publish nobody but the waiter touches the record (the unlocker only signals the
    /// parker it captured before), so the waiter may reuse it as soon as it reads the flag.
    /// </summary>
    private abstract class Waiter
    {
        public int Type;
        public long Owner;
        public long StartTimestamp;
        public Waiter? Next;
        public Waiter? Prev;
        public bool Linked;

        /// <summary>1 once the lock was taken on the waiter's behalf. Written with release by the unlocker, read with acquire by the waiter.</summary>
        public int Acquired;

        /// <summary>What the unlocker signals after publishing <see cref="Acquired"/>: the record itself for threads, the completion for async waiters.</summary>
        public abstract object Parker { get; }

        public abstract bool IsAsync { get; }

        public void Prepare(int type, long owner)
        {
            Type = type;
            Owner = owner;
            StartTimestamp = 0;
            Next = null;
            Prev = null;
            Linked = false;
            Volatile.Write(ref Acquired, 0);
        }

        public SixLockWaiterInfo Info => new((SixLockType)Type, StartTimestamp, Owner, IsAsync);
    }

    /// <summary>
    /// A waiting thread. One record per thread is reused for every wait of that thread (no
    /// allocation on the contended path); a should-sleep callback that itself waits on another lock
    /// gets a fresh one (<see cref="InUse"/>). The thread parks on the record's monitor.
    /// </summary>
    private sealed class SyncWaiter : Waiter
    {
        [ThreadStatic]
        private static SyncWaiter? t_cached;

        public bool InUse;

        /// <summary>Set under the record's monitor by a cancellation to cut a sleep short.</summary>
        public bool Nudged;

        public override object Parker => this;

        public override bool IsAsync => false;

        public static SyncWaiter Rent()
        {
            var w = t_cached;
            if (w is null || w.InUse)
            {
                w = new SyncWaiter();
                t_cached ??= w;
            }

            w.InUse = true;
            return w;
        }

        public void Return() => InUse = false;

        /// <summary>Sleeps until signalled, nudged or <paramref name="timeoutMs"/> passes; spurious returns are fine (callers loop).</summary>
        public void Park(int timeoutMs)
        {
            lock (this)
            {
                // Checked under the monitor the unlocker takes after publishing: no lost wakeup.
                if (Volatile.Read(ref Acquired) == 0 && !Nudged)
                {
                    Monitor.Wait(this, timeoutMs);
                }

                Nudged = false;
            }
        }

        public void Nudge()
        {
            lock (this)
            {
                Nudged = true;
                Monitor.Pulse(this);
            }
        }
    }

    /// <summary>An asynchronous waiter: completed (asynchronously, never inline under the wait-list lock) on handoff or cancellation.</summary>
    private sealed class AsyncWaiter : Waiter
    {
        public readonly TaskCompletionSource<bool> Completion = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override object Parker => Completion;

        public override bool IsAsync => true;
    }

    /// <summary>Wakes what <see cref="Waiter.Parker"/> returned; tolerates a waiter that already left.</summary>
    private static void Signal(object parker)
    {
        if (parker is TaskCompletionSource<bool> completion)
        {
            completion.TrySetResult(true);
        }
        else
        {
            lock (parker)
            {
                Monitor.Pulse(parker);
            }
        }
    }

    /// <summary>A snapshot of the queued waiters, oldest first, for cycle detectors and diagnostics.</summary>
    /// <returns>The waiters of all three types, ordered by <see cref="SixLockWaiterInfo.StartTimestamp"/>.</returns>
    /// <remarks>Thread-safe; takes the wait-list lock briefly.</remarks>
    public SixLockWaiterInfo[] GetWaiters()
    {
        var list = new List<SixLockWaiterInfo>();
        lock (_waitLock)
        {
            for (int t = ReadType; t <= WriteType; t++)
            {
                for (var w = _heads[t]; w is not null; w = w.Next)
                {
                    list.Add(w.Info);
                }
            }
        }

        list.Sort(static (a, b) => a.StartTimestamp.CompareTo(b.StartTimestamp));
        return [.. list];
    }

    /// <summary>Debug aid: hands the lock over to every waiter that can take it now.</summary>
    /// <remarks>Never needed for correctness; mirrors the reference's <c>wakeup_all</c>.</remarks>
    public void WakeupAll()
    {
        lock (_waitLock)
        {
            WakeAllLocked();
        }
    }

    private void WakeAllLocked()
    {
        WakeWaiters(ReadType);
        WakeWaiters(IntentType);
        WakeWaiters(WriteType);
    }

    /// <summary>Appends <paramref name="w"/> to its FIFO list with a strictly increasing start time. Caller holds <see cref="_waitLock"/>.</summary>
    private void Enqueue(Waiter w)
    {
        Debug.Assert(Monitor.IsEntered(_waitLock) && !w.Linked);
        long now = Stopwatch.GetTimestamp();
        w.StartTimestamp = _lastStartTimestamp = Math.Max(now, _lastStartTimestamp + 1);
        int t = w.Type;
        w.Prev = _tails[t];
        w.Next = null;
        if (w.Prev is null)
        {
            _heads[t] = w;
        }
        else
        {
            w.Prev.Next = w;
        }

        _tails[t] = w;
        w.Linked = true;
    }

    /// <summary>Removes <paramref name="w"/> from its list. Caller holds <see cref="_waitLock"/>.</summary>
    private void Unlink(Waiter w)
    {
        Debug.Assert(Monitor.IsEntered(_waitLock) && w.Linked);
        int t = w.Type;
        if (w.Prev is null)
        {
            _heads[t] = w.Next;
        }
        else
        {
            w.Prev.Next = w.Next;
        }

        if (w.Next is null)
        {
            _tails[t] = w.Prev;
        }
        else
        {
            w.Next.Prev = w.Prev;
        }

        w.Next = null;
        w.Prev = null;
        w.Linked = false;
    }

    /// <summary>
    /// Under the wait-list lock: sets the waiting bit of <paramref name="type"/>, then retries the
    /// lock. Returns <see langword="true"/> with the lock taken (owner recorded in
    /// <paramref name="owner"/>) or <see langword="false"/> with the bit left set for the caller to queue.
    /// </summary>
    private bool TrySetWaitingAndLock(int type, ref long owner)
    {
        Debug.Assert(Monitor.IsEntered(_waitLock));

        // Full fence, and on the same word as every release: an unlock ordered before this sees no
        // bit but leaves the lock free for the retry below; an unlock ordered after it sees the bit
        // (in the value its own interlocked operation returns) and comes here to hand over.
        Interlocked.Or(ref _state, (int)State.WaitingBit(type));
        if (TryLockForWaiter(type))
        {
            owner = OnAcquiredForWaiter(type, owner);
            if (_heads[type] is null)
            {
                Interlocked.And(ref _state, (int)~State.WaitingBit(type));
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// The trylock the slow path and the unlocker use on a waiter's behalf. For write, the waiter
    /// already set the write bit (writer preference): it only waits for readers to drain.
    /// </summary>
    private bool TryLockForWaiter(int type)
    {
        switch (type)
        {
            case ReadType:
                return TryLockRead();
            case IntentType:
            {
                uint old = (uint)Volatile.Read(ref _state);
                while ((old & State.IntentHeld) == 0)
                {
                    uint seen = (uint)Interlocked.CompareExchange(ref _state, (int)new State(old).SetIntent().Value, (int)old);
                    if (seen == old)
                    {
                        return true;
                    }

                    old = seen;
                }

                return false;
            }

            default:
                Debug.Assert(new State((uint)Volatile.Read(ref _state)).IsWriteHeld, "the write waiter set the write bit before queueing");
                return ReadersDrained();
        }
    }

    /// <summary>Whether no reader holds the lock (the caller set the write bit).</summary>
    private bool ReadersDrained()
    {
        if (_readers is null)
        {
            return new State((uint)Volatile.Read(ref _state)).Readers == 0;
        }

        // Full fence: orders the write bit (or waiting-write bit) we set before the sum; pairs with
        // the fence after a reader's slot increment/decrement before it reads the word.
        Interlocked.MemoryBarrier();
        return SumReaders() == 0;
    }

    /// <summary>Records the holder after a trylock on a waiter's behalf; returns the owner token.</summary>
    private long OnAcquiredForWaiter(int type, long owner)
    {
        switch (type)
        {
            case IntentType:
                return OnIntentAcquired(owner);
            case WriteType:
                _writeCount = 1;
                return owner;
            default:
                return owner;
        }
    }

    /// <summary>
    /// Hands the lock over to the waiters of <paramref name="type"/> that can take it now: all queued
    /// readers, or the first intent or write waiter. Clears the waiting bit when none remains.
    /// </summary>
    private void WakeWaiters(int type)
    {
#if PRIMITIVES_MUTANTS
        if (type != ReadType && Mutations.IsActive(SixLockMutants.WakerTouchesWaiterAfterLeft))
        {
            // Mutant: the waker picks its waiter, lets go of the wait list, and hands over later,
            // by which time the waiter may have aborted and left: the lock is handed to nobody.
            Waiter? picked;
            lock (_waitLock)
            {
                picked = _heads[type];
            }

            if (picked is null)
            {
                return;
            }

            lock (_waitLock)
            {
                if (!TryLockForWaiter(type))
                {
                    return;
                }

                picked.Owner = OnAcquiredForWaiter(type, picked.Owner);
                object p = picked.Parker;
                if (picked.Linked)
                {
                    Unlink(picked);
                }

                if (_heads[type] is null)
                {
                    Interlocked.And(ref _state, (int)~State.WaitingBit(type));
                }

                Volatile.Write(ref picked.Acquired, 1);
                Signal(p);
            }

            return;
        }
#endif
        lock (_waitLock)
        {
            Waiter? w;
            while ((w = _heads[type]) is not null)
            {
                if (!TryLockForWaiter(type))
                {
                    break;
                }

                w.Owner = OnAcquiredForWaiter(type, w.Owner);
                // Captured before the publish: after it the waiter may have left and reused its record.
                object parker = w.Parker;
#if PRIMITIVES_MUTANTS
                if (Mutations.IsActive(SixLockMutants.HandoffFlagBeforeUnlink))
                {
                    // Mutant (2023 review of six.c: lock_acquired set with a plain store after a
                    // compiler barrier): the flag is published before the unlink. The waiter sees it,
                    // returns and reuses its record (Prepare clears Next) while we still unlink it:
                    // the waiters behind it fall off the list. The yield stands for the unlink's
                    // stores becoming visible after the flag (what the plain store allowed on weakly
                    // ordered CPUs): Coyote explores interleavings, not store reordering, so the
                    // window the hardware opened has to be opened explicitly for it to be explored.
                    Volatile.Write(ref w.Acquired, 1);
                    Thread.Yield();
                    Unlink(w);
                }
                else
#endif
                {
                    Unlink(w);

                    // Release: publishes the unlink and the holder fields written above; pairs with the
                    // acquire read of Acquired in the waiter's loop (WaitLoop / LockAsyncSlow).
                    Volatile.Write(ref w.Acquired, 1);
                }

                Signal(parker);
                if (type != ReadType)
                {
                    break;
                }
            }

            if (_heads[type] is null && (Volatile.Read(ref _state) & State.WaitingBit(type)) != 0)
            {
                Interlocked.And(ref _state, (int)~State.WaitingBit(type));
            }
        }
    }
}
