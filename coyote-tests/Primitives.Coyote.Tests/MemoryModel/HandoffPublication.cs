using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;

namespace Primitives.Coyote.Tests.MemoryModel;

/// <summary>
/// The six lock's handoff publication (historical bug 1, Aug 2023) on an explicit store-buffer
/// model. The unlocker takes the lock on behalf of a queued waiter, unlinks the waiter (a store
/// <em>into the waiter's record</em>, which lives on the waiter's stack), then publishes
/// <c>acquired = 1</c>. The waiter spins on its own flag, then returns and reuses its stack: the
/// record's memory now holds the waiter's new data. If the flag becomes visible before the
/// unlink store, the unlink lands in reused memory: stack corruption.
/// </summary>
/// <remarks>
/// Under x86-TSO a plain store is enough (buffers drain in program order, so the unlink is
/// visible before the flag): the bug is invisible on x86, which is why it shipped. It needs a
/// model where a later store can overtake an earlier one (PSO here, standing in for Arm/POWER).
/// The fix is a store-release of the flag (<c>Volatile.Write</c> in .NET) paired with an
/// acquire load by the waiter (<c>Volatile.Read</c>; every load of the model is in order).
/// </remarks>
internal static class HandoffPublication
{
    public const string Corrupted = "waiter record corrupted after reuse";

    private const int Unlocker = 0, Waiter = 1;
    private const int WaitListHead = 0, RecordLink = 1, RecordAcquired = 2;
    private const int Linked = 7, Unlinked = 0, ReusedByWaiter = 42;

    [CoyoteScenario("memory.handoff.pso-plain-store", ExpectedError = Corrupted, Iterations = 1_000)]
    public static Task PlainStoreUnderPso() => Run(MemoryOrdering.Pso, release: false);

    [CoyoteScenario("memory.handoff.pso-release-store", Iterations = 300)]
    public static Task ReleaseStoreUnderPso() => Run(MemoryOrdering.Pso, release: true);

    [CoyoteScenario("memory.handoff.tso-plain-store", Iterations = 300)]
    public static Task PlainStoreUnderTso() => Run(MemoryOrdering.Tso, release: false);

    private static async Task Run(MemoryOrdering ordering, bool release)
    {
        var memory = new StoreBufferMemory(ordering, cells: 3, threads: 2);
        memory.Initialize(WaitListHead, RecordLink);
        memory.Initialize(RecordLink, Linked);

        Task unlocker = Task.Run(() =>
        {
            // Under the wait-list lock: the lock is already taken on the waiter's behalf.
            memory.Store(Unlocker, RecordLink, Unlinked);   // list_del_init writes the waiter's record
            memory.Store(Unlocker, WaitListHead, 0);
            if (release)
            {
                memory.StoreRelease(Unlocker, RecordAcquired, 1); // orders the unlink before the flag
            }
            else
            {
                memory.Store(Unlocker, RecordAcquired, 1);        // "barrier(); w->lock_acquired = true;"
            }
        });

        Task waiter = Task.Run(() =>
        {
            while (memory.Load(Waiter, RecordAcquired) == 0)
            {
                SchedulingPoint.Yield();
            }

            // Acquired: the waiter returns from lock(); its stack frame (the record) is reused.
            memory.Store(Waiter, RecordLink, ReusedByWaiter);
            memory.Fence(Waiter); // ...and goes on (any later fence or atomic publishes its data)
        });

        await Task.WhenAll(new[] { unlocker, waiter });
        memory.DrainAll();
        Specification.Assert(memory[RecordLink] == ReusedByWaiter, $"{Corrupted}: the waiter's data {ReusedByWaiter} was overwritten by the unlocker's late unlink ({memory[RecordLink]})");
    }
}
