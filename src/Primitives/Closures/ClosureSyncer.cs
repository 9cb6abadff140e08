#if PRIMITIVES_MUTANTS
using Primitives.Internal;
#endif

namespace Primitives.Closures;

/// <summary>
/// The record a thread blocked in <see cref="Closure.Sync()"/> parks on: the counterpart of the
/// kernel's on-stack syncer.
/// </summary>
/// <remarks>
/// Owner and reuse: each thread keeps one in <see cref="t_cached"/> and re-arms it for its next
/// <c>Sync</c>, so a sync allocates nothing. That reuse is exactly what makes bug 1 dangerous: the
/// waker must not touch the record after <see cref="Signal"/> makes <see cref="_done"/> visible,
/// because from that moment the syncer may return and re-arm the record for another wait, and a
/// late write from the old waker would wake the new wait early. <see cref="Signal"/> therefore sets
/// <see cref="_done"/> and pulses inside the monitor, as its last access.
/// Parks with <see cref="Monitor"/> so that Coyote controls the wait.
/// </remarks>
internal sealed class ClosureSyncer
{
    [ThreadStatic]
    private static ClosureSyncer? t_cached;

    /// <summary>1 once the closure's count reached zero. Written and read under the monitor.</summary>
    private int _done;

    /// <summary>Takes this thread's cached record (or a new one), re-armed.</summary>
    public static ClosureSyncer Rent()
    {
        var s = t_cached ?? new ClosureSyncer();
        t_cached = null; // a nested Sync on this thread (from a continuation) gets its own
        s._done = 0;
        return s;
    }

    /// <summary>Gives the record back for this thread's next Sync. Only once no waker can touch it.</summary>
    public static void Return(ClosureSyncer s) => t_cached = s;

    /// <summary>Wakes the waiting thread. The caller must not touch this record afterwards.</summary>
    public void Signal()
    {
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(ClosureMutants.WakerTouchesSyncerAfterSignal))
        {
            // Bug 1 (2019): signal first, then go on using the syncer's record. The syncer can
            // return and re-arm the record for its next Sync in between, and this late lock+write
            // completes that next wait before its closure's count is zero.
            Volatile.Write(ref _done, 1);
            Thread.Yield();
            lock (this) { _done = 1; Monitor.PulseAll(this); }
            return;
        }
#endif
        lock (this) { _done = 1; Monitor.PulseAll(this); } // the monitor orders the write before the waiter's read
    }

    /// <summary>
    /// Spins before parking: a sync usually waits for an I/O completion or a thread-pool hop that
    /// takes a few microseconds, and parking on the monitor and being woken costs about as much
    /// again. The same bound as <c>ManualResetEventSlim</c>'s default spin (35 on multi-core);
    /// none on a single core, where spinning only delays the thread that will signal.
    /// </summary>
    private static readonly int s_spinCount = Environment.ProcessorCount > 1 ? 35 : 0;

    /// <summary>Blocks until <see cref="Signal"/> or the timeout.</summary>
    /// <returns><see langword="false"/> on timeout.</returns>
    public bool Wait(int millisecondsTimeout)
    {
        if (millisecondsTimeout != 0)
        {
            var spinner = new SpinWait();
            for (int i = 0; i < s_spinCount; i++)
            {
                // Volatile read: pairs with the monitor-protected write in Signal (a spinner that
                // sees 1 returns without the monitor; the write happened before Signal's exit).
                if (Volatile.Read(ref _done) != 0)
                    return true;
                spinner.SpinOnce(sleep1Threshold: -1); // a Coyote scheduling point; never sleeps
            }
        }
        if (Volatile.Read(ref _done) != 0)
            return true;
        long start = millisecondsTimeout == Timeout.Infinite ? 0 : Environment.TickCount64;
        lock (this)
        {
            while (_done == 0)
            {
                int left = Timeout.Infinite;
                if (millisecondsTimeout != Timeout.Infinite)
                {
                    left = (int)Math.Max(0, millisecondsTimeout - (Environment.TickCount64 - start));
                    if (left == 0)
                        return false;
                }
                if (!Monitor.Wait(this, left) && _done == 0)
                    return false;
            }
        }
        return true;
    }
}
