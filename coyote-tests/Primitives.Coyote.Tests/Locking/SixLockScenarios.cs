using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;
using Primitives.Locking;

namespace Primitives.Coyote.Tests.Locking;

/// <summary>
/// <see cref="SixLock"/> under Coyote. A lost wakeup shows up as Coyote's deadlock report (every
/// task blocked), exclusion through <see cref="Holders"/>. Each task body is synchronous, so its
/// thread (the owner of intent and write) stays the same.
/// </summary>
/// <remarks>
/// The first waiter's spin is bounded by time (10 µs) and by an iteration cap; the cap is set to
/// 4 here so that the time check (every 16 rounds) never runs: schedules stay reproducible, and
/// the spin's own scheduling points are still explored.
/// </remarks>
internal static class SixLockScenarios
{
    public static SixLock NewLock(SixLockOptions options = SixLockOptions.None)
    {
        SixLock.s_maxSpinIterations = 4;
        return new SixLock(options);
    }

    /// <summary>Runs the bodies as concurrent tasks and waits for all of them.</summary>
    public static Task All(params Action[] bodies) => Task.WhenAll(bodies.Select(body => Task.Run(body)).ToArray()); // a lambda: Task.Run through a method-group delegate is not rewritten

    /// <summary>Takes and releases <paramref name="type"/> twice (write: inside an intent hold).</summary>
    public static void Cycle(Holders holders, SixLockType type, int rounds = 2)
    {
        for (int i = 0; i < rounds; i++)
        {
            if (type == SixLockType.Write)
            {
                holders.Take(SixLockType.Intent);
                holders.Take(SixLockType.Write);
                SchedulingPoint.Interleave();
                holders.Release(SixLockType.Write);
                holders.Release(SixLockType.Intent);
            }
            else
            {
                holders.Take(type);
                SchedulingPoint.Interleave();
                holders.Release(type);
            }
        }
    }

    private static async Task Pair(SixLockType a, SixLockType b, SixLockOptions options = SixLockOptions.None)
    {
        var holders = new Holders(NewLock(options));
        await All(() => Cycle(holders, a), () => Cycle(holders, b));
        holders.AssertFree("after both tasks finished");
    }

    // ---- exclusion of every type pair (and that readers and intent do coexist) ----

    [CoyoteScenario("sixlock.exclusion.read-read")]
    public static Task ReadRead() => Pair(SixLockType.Read, SixLockType.Read);

    [CoyoteScenario("sixlock.exclusion.read-intent")]
    public static Task ReadIntent() => Pair(SixLockType.Read, SixLockType.Intent);

    [CoyoteScenario("sixlock.exclusion.read-write")]
    public static Task ReadWrite() => Pair(SixLockType.Read, SixLockType.Write);

    [CoyoteScenario("sixlock.exclusion.intent-intent")]
    public static Task IntentIntent() => Pair(SixLockType.Intent, SixLockType.Intent);

    [CoyoteScenario("sixlock.exclusion.intent-write")]
    public static Task IntentWrite() => Pair(SixLockType.Intent, SixLockType.Write);

    [CoyoteScenario("sixlock.exclusion.write-write")]
    public static Task WriteWrite() => Pair(SixLockType.Write, SixLockType.Write);

    /// <summary>Readers and an intent holder really do overlap (intent is not a write lock).</summary>
    [CoyoteScenario("sixlock.exclusion.read-admitted-under-intent", Iterations = 50)]
    public static Task ReadAdmittedUnderIntent() => Task.Run(() =>
    {
        // One synchronous body: intent is owned by this thread, so no await may move it elsewhere.
        SixLock lk = NewLock();
        lk.Lock(SixLockType.Intent);
        bool readAdmitted = Task.Run(() =>
        {
            bool taken = lk.TryLock(SixLockType.Read);
            if (taken)
            {
                lk.Unlock(SixLockType.Read);
            }

            return taken;
        }).Result;
        Specification.Assert(readAdmitted, "a reader was refused while only intent is held");
        Specification.Assert(!Task.Run(() => lk.TryLock(SixLockType.Intent)).Result, "a second intent holder was admitted");
        lk.Unlock(SixLockType.Intent);
    });

    // ---- write requires intent ----

    [CoyoteScenario("sixlock.write-requires-intent", Iterations = 50)]
    public static Task WriteRequiresIntent() => Task.Run(() =>
    {
        SixLock lk = NewLock();
        AssertThrows<SixLockException>(() => lk.TryLock(SixLockType.Write), "TryLock(Write) without intent");
        AssertThrows<SixLockException>(() => lk.Lock(SixLockType.Write), "Lock(Write) without intent");

        // Intent held by another thread does not let this one write.
        lk.Lock(SixLockType.Intent);
        Task.Run(() => AssertThrows<SixLockException>(() => lk.TryLock(SixLockType.Write), "TryLock(Write) under another thread's intent")).Wait();
        lk.Unlock(SixLockType.Intent);
        Specification.Assert(!lk.IsHeld, "the refused write attempts left the lock held");
    });

    // ---- no lost wakeups ----

    /// <summary>Two intent+write cycles and two readers, all blocking: every waiter is woken.</summary>
    [CoyoteScenario("sixlock.wakeups.sync")]
    public static async Task NoLostWakeupsSync()
    {
        var holders = new Holders(NewLock());
        await All(
            () => Cycle(holders, SixLockType.Write),
            () => Cycle(holders, SixLockType.Write, rounds: 1),
            () => Cycle(holders, SixLockType.Read),
            () => Cycle(holders, SixLockType.Read, rounds: 1));
        holders.AssertFree("after every waiter finished");
    }

    /// <summary>The same with asynchronous waiters (handles, owner tokens, continuations).</summary>
    [CoyoteScenario("sixlock.wakeups.async")]
    public static async Task NoLostWakeupsAsync()
    {
        var holders = new Holders(NewLock());
        await Task.WhenAll(new[] { AsyncWriter(holders), AsyncWriter(holders), AsyncReader(holders), AsyncReader(holders) });
        holders.AssertFree("after every async waiter finished");
    }

    /// <summary>Synchronous and asynchronous waiters on one lock.</summary>
    [CoyoteScenario("sixlock.wakeups.mixed")]
    public static async Task NoLostWakeupsMixed()
    {
        var holders = new Holders(NewLock());
        await Task.WhenAll(new[]
        {
            AsyncWriter(holders),
            Task.Run(() => Cycle(holders, SixLockType.Write, rounds: 1)),
            AsyncReader(holders),
            Task.Run(() => Cycle(holders, SixLockType.Read, rounds: 1)),
        });
        holders.AssertFree("after every waiter finished");
    }

    public static async Task AsyncWriter(Holders holders)
    {
        await Task.Yield();
        using SixLockHandle intent = await holders.Lock.IntentAsync();
        holders.Acquired(SixLockType.Intent);
        SixLockHandle write = await holders.Lock.WriteAsync(intent);
        holders.Acquired(SixLockType.Write);
        await Task.Yield();
        holders.Releasing(SixLockType.Write);
        write.Dispose();
        holders.Releasing(SixLockType.Intent);
    }

    public static async Task AsyncReader(Holders holders)
    {
        await Task.Yield();
        SixLockHandle read = await holders.Lock.ReadAsync();
        holders.Acquired(SixLockType.Read);
        await Task.Yield();
        holders.Releasing(SixLockType.Read);
        read.Dispose();
    }

    // ---- handoff ----

    /// <summary>
    /// Readers queued behind a writer all get the lock when write is released (read handoff goes
    /// to every queued reader), while the writer still holds intent: none is left asleep.
    /// </summary>
    [CoyoteScenario("sixlock.handoff.all-readers")]
    public static Task HandoffToAllReaders() => Task.Run(() =>
    {
        var holders = new Holders(NewLock());
        holders.Take(SixLockType.Intent);
        holders.Take(SixLockType.Write);
        int inside = 0;
        Task Reader() => Task.Run(() =>
        {
            holders.Take(SixLockType.Read);
            inside++;
        });

        Task[] readers = [Reader(), Reader(), Reader()];
        SpinUntil(() => holders.Lock.GetWaiters().Length == readers.Length);
        holders.Release(SixLockType.Write);
        foreach (Task reader in readers)
        {
            reader.Wait(); // all three come to hold read together, under the writer's intent
        }

        Specification.Assert(inside == 3 && holders.Lock.Counts().Readers == 3, $"{inside} readers inside, Counts() {holders.Lock.Counts()}");
        for (int i = 0; i < readers.Length; i++)
        {
            holders.Release(SixLockType.Read);
        }

        holders.Release(SixLockType.Intent);
        holders.AssertFree("after the readers left");
    });

    /// <summary>Intent waiters queued behind an intent holder are handed the lock one after another.</summary>
    [CoyoteScenario("sixlock.handoff.intent-chain")]
    public static async Task HandoffIntentChain()
    {
        var holders = new Holders(NewLock());
        await All(
            () => Cycle(holders, SixLockType.Intent),
            () => Cycle(holders, SixLockType.Intent),
            () => Cycle(holders, SixLockType.Intent));
        holders.AssertFree("after the intent chain");
    }

    // ---- writer preference ----

    /// <summary>Once an intent holder waits for write, new readers are refused until it has written.</summary>
    [CoyoteScenario("sixlock.writer-preference")]
    public static Task WriterPreference() => Task.Run(() =>
    {
        var holders = new Holders(NewLock());
        holders.Take(SixLockType.Read);
        bool wrote = false;
        Task writer = Task.Run(() =>
        {
            holders.Take(SixLockType.Intent);
            holders.Take(SixLockType.Write); // waits for our read hold
            wrote = true;
            holders.Release(SixLockType.Write);
            holders.Release(SixLockType.Intent);
        });

        SpinUntil(() => holders.Lock.GetWaiters().Any(w => w.Type == SixLockType.Write));
        bool barged = Task.Run(() => holders.Lock.TryLock(SixLockType.Read)).Result;
        Specification.Assert(!barged || wrote, "a new reader passed a waiting writer");
        if (barged)
        {
            holders.Lock.Unlock(SixLockType.Read);
        }

        holders.Release(SixLockType.Read);
        writer.Wait();
        Specification.Assert(wrote, "the writer never wrote");
        holders.AssertFree("after the writer");
    });

    // ---- relock / seq ----

    /// <summary>
    /// A reader drops its lock and relocks with the saved sequence while a writer changes the
    /// protected value: a successful relock means nobody wrote in between (the value is unchanged),
    /// and every write bumps the sequence.
    /// </summary>
    [CoyoteScenario("sixlock.relock.seq")]
    public static async Task RelockSeesEveryWrite()
    {
        var holders = new Holders(NewLock());
        int value = 0;
        Task writer = Task.Run(() =>
        {
            holders.Take(SixLockType.Intent);
            int before = holders.Lock.Seq;
            holders.Take(SixLockType.Write);
            value++;
            holders.Release(SixLockType.Write);
            Specification.Assert(holders.Lock.Seq != before, "a write unlock did not bump the sequence");
            holders.Release(SixLockType.Intent);
        });

        Task reader = Task.Run(() =>
        {
            holders.Take(SixLockType.Read);
            int seen = value, seq = holders.Lock.Seq;
            holders.Release(SixLockType.Read);
            SchedulingPoint.Interleave();
            if (holders.Lock.TryRelock(SixLockType.Read, seq))
            {
                holders.Acquired(SixLockType.Read);
                Specification.Assert(value == seen, $"relock succeeded although a write changed the value ({seen} -> {value})");
                holders.Release(SixLockType.Read);
            }
        });

        await Task.WhenAll(new[] { writer, reader });
        holders.AssertFree("after relock");
    }

    // ---- downgrade / upgrade ----

    /// <summary>
    /// Intent downgraded to read keeps the lock readable with no writer in between (the value
    /// written under write is still there), and lets the next intent waiter in; a reader's
    /// upgrade succeeds only while intent is free.
    /// </summary>
    [CoyoteScenario("sixlock.downgrade-upgrade")]
    public static async Task DowngradeAndUpgrade()
    {
        var holders = new Holders(NewLock());
        int value = 0;
        Task downgrader = Task.Run(() =>
        {
            holders.Take(SixLockType.Intent);
            holders.Take(SixLockType.Write);
            value = 1;
            holders.Release(SixLockType.Write);
            holders.Releasing(SixLockType.Intent); // the ghost hold ends before the real one...
            holders.Lock.Downgrade();
            holders.Acquired(SixLockType.Read);    // ...and the new one starts after it
            SchedulingPoint.Interleave();
            Specification.Assert(value == 1, "a writer got in between the downgrade and the read");
            holders.Release(SixLockType.Read);
        });

        Task upgrader = Task.Run(() =>
        {
            holders.Take(SixLockType.Read);
            holders.Releasing(SixLockType.Read);
            if (holders.Lock.TryUpgrade())
            {
                holders.Acquired(SixLockType.Intent);
                holders.Take(SixLockType.Write);
                value = 2;
                holders.Release(SixLockType.Write);
                holders.Release(SixLockType.Intent);
            }
            else
            {
                holders.Acquired(SixLockType.Read);
                holders.Release(SixLockType.Read);
            }
        });

        await Task.WhenAll(new[] { downgrader, upgrader });
        holders.AssertFree("after downgrade and upgrade");
    }

    // ---- aborts racing a handoff ----

    public const string Leaked = "intent cannot be taken";

    /// <summary>
    /// A waiter's should-sleep hook aborts while the holder unlocks (and may hand the lock over
    /// concurrently): whatever wins, the aborted waiter does not hold the lock afterwards, and the
    /// lock is free at the end (not leaked, not handed to nobody).
    /// </summary>
    [CoyoteScenario("sixlock.abort.should-sleep-races-handoff")]
    public static Task ShouldSleepAbortRacesHandoff() => Task.Run(() =>
    {
        var holders = new Holders(NewLock());
        holders.Take(SixLockType.Intent);
        var second = Task.Run(() => Cycle(holders, SixLockType.Intent, rounds: 1));
        Task aborter = Task.Run(() =>
        {
            bool taken = holders.Lock.Lock(SixLockType.Intent, static (_, _, _) => false);
            if (taken)
            {
                holders.Acquired(SixLockType.Intent);
                holders.Release(SixLockType.Intent);
            }
            else
            {
                Specification.Assert(!holders.Lock.IsIntentHeldByCurrentThread, "an aborted Lock left intent held by the caller");
            }
        });

        SchedulingPoint.Interleave();
        holders.Release(SixLockType.Intent);
        aborter.Wait();
        second.Wait();
        holders.AssertFree("after the abort");
    });

    /// <summary>Cancellation of a synchronous waiter racing the unlock that hands over to it.</summary>
    [CoyoteScenario("sixlock.abort.cancel-sync-races-handoff")]
    public static Task CancellationSyncRacesHandoff() => CancellationRacesHandoff(syncWaiterToo: true, asyncWaiterToo: false);

    /// <summary>
    /// Cancellation of an asynchronous waiter racing the unlock that hands over to it.
    /// Potential deadlocks are not bugs here: when the awaiting continuation disposes its
    /// cancellation registration while the cancel callback (which completed the waiter's task, a
    /// Coyote scheduling point) has not returned yet, <c>CancellationTokenRegistration.Dispose</c>
    /// waits for the callback inside the runtime, a wait Coyote does not control, while Coyote
    /// holds the callback's thread: a hang of the test harness, not of the lock (measured: found
    /// in ~90 iterations with random, seed 1000003, as "potential deadlock"). Definite deadlocks
    /// (every task blocked: a lost handoff) and a leaked lock (the final check) still fail. Each such
    /// harness hang costs Coyote's deadlock timeout, hence the smaller iteration count.
    /// </summary>
    [CoyoteScenario("sixlock.abort.cancel-async-races-handoff", PotentialDeadlocksAreBugs = false, Iterations = 40)]
    public static Task CancellationAsyncRacesHandoff() => CancellationRacesHandoff(syncWaiterToo: false, asyncWaiterToo: true);

    private static Task CancellationRacesHandoff(bool syncWaiterToo, bool asyncWaiterToo) => Task.Run(() =>
    {
        var holders = new Holders(NewLock());
        holders.Take(SixLockType.Intent);
        using var cts = new CancellationTokenSource();
        Task syncWaiter = !syncWaiterToo ? Task.CompletedTask : Task.Run(() =>
        {
            try
            {
                holders.Lock.Lock(SixLockType.Intent, cts.Token);
            }
            catch (OperationCanceledException)
            {
                Specification.Assert(!holders.Lock.IsIntentHeldByCurrentThread, "a canceled Lock left intent held");
                return;
            }

            holders.Acquired(SixLockType.Intent);
            holders.Release(SixLockType.Intent);
        });

        Task asyncWaiter = !asyncWaiterToo ? Task.CompletedTask : Task.Run(async () =>
        {
            SixLockHandle handle;
            try
            {
                handle = await holders.Lock.IntentAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            holders.Acquired(SixLockType.Intent);
            holders.Releasing(SixLockType.Intent);
            handle.Dispose();
        });

        Task canceler = Task.Run(cts.Cancel);
        SchedulingPoint.Interleave();
        holders.Release(SixLockType.Intent);
        syncWaiter.Wait();
        asyncWaiter.Wait();
        canceler.Wait();
        holders.AssertFree("after the cancellations");
    });

    // ---- per-CPU reader mode ----

    /// <summary>Per-CPU readers (Dekker protocol on the slots and the write bit) against intent+write cycles.</summary>
    [CoyoteScenario("sixlock.percpu.readers-vs-writers")]
    public static async Task PerCpuReadersVsWriters()
    {
        var holders = new Holders(NewLock(SixLockOptions.PerCpuReaders));
        await All(
            () => Cycle(holders, SixLockType.Read),
            () => Cycle(holders, SixLockType.Read, rounds: 1),
            () => Cycle(holders, SixLockType.Write));
        holders.AssertFree("after per-CPU readers and a writer");
    }

    /// <summary>Per-CPU read trylocks (which back out on a held write bit) against a writer: no lost wakeup.</summary>
    [CoyoteScenario("sixlock.percpu.trylock-vs-writer")]
    public static async Task PerCpuTrylockVsWriter()
    {
        var holders = new Holders(NewLock(SixLockOptions.PerCpuReaders));
        void TryReader()
        {
            for (int i = 0; i < 2; i++)
            {
                if (holders.Lock.TryLock(SixLockType.Read))
                {
                    holders.Acquired(SixLockType.Read);
                    holders.Release(SixLockType.Read);
                }
            }
        }

        await All(TryReader, TryReader, () => Cycle(holders, SixLockType.Write, rounds: 1));
        holders.AssertFree("after per-CPU trylocks and a writer");
    }

    // ---- helpers ----

    /// <summary>Spins with a Coyote scheduling point each round (never a silent busy loop) until the condition holds.</summary>
    public static void SpinUntil(Func<bool> condition)
    {
        while (!condition())
        {
            SchedulingPoint.Yield();
        }
    }

    private static void AssertThrows<TException>(Action action, string what)
        where TException : Exception
    {
        try
        {
            action();
        }
        catch (TException)
        {
            return;
        }

        Specification.Assert(false, $"{what} did not throw {typeof(TException).Name}");
    }
}
