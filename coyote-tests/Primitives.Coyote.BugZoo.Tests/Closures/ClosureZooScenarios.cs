using Microsoft.Coyote.Specifications;
using Primitives.Closures;
using Primitives.Internal;

namespace Primitives.Coyote.BugZoo.Closures;

/// <summary>
/// The closures' historical bugs (see <see cref="ClosureMutants"/>). Each body runs with the named
/// mutant active, and again as a baseline with no mutant (the real code, compiled with the
/// mutation points): the first must be found, the second must pass.
/// </summary>
internal static class ClosureZooScenarios
{
    // ---- Bug 1: the waker touches the syncer's (reused) record after signalling it ----

    [CoyoteScenario("zoo.closures.waker-touches-syncer-after-signal", ExpectedError = "Sync woke before the count reached zero", Iterations = 1_000)]
    public static void WakerTouchesSyncer() => TwoSyncsReusingTheSyncer(ClosureMutants.WakerTouchesSyncerAfterSignal);

    [CoyoteScenario("zoo.closures.waker-touches-syncer-after-signal.baseline", Iterations = 150)]
    public static void WakerTouchesSyncerBaseline() => TwoSyncsReusingTheSyncer(null);

    /// <summary>
    /// One thread syncs twice in a row (its cached syncer record is reused by the second sync);
    /// each time another task drops the last outstanding reference. The second sync must not
    /// return before its closure's count reached zero.
    /// </summary>
    private static void TwoSyncsReusingTheSyncer(string? mutant)
    {
        Mutations.Active = mutant;
        var putters = new Task[2];
        for (int round = 0; round < putters.Length; round++)
        {
            var closure = new Closure();
            closure.Get();
            bool dropped = false;
            putters[round] = Task.Run(() =>
            {
                dropped = true;
                closure.Put();
            });

            closure.Sync();
            Specification.Assert(dropped, $"round {round}: Sync returned before the last reference was dropped");
            closure.Return();
        }

        // Joined only at the end: the first round's waker may still be running during the second.
        foreach (Task putter in putters)
        {
            putter.Wait(); // one at a time: Task.WaitAll would bind to its span overload, which Coyote does not control
        }
    }

    // ---- Bug 2: sync skips the wait (and its acquire) after a concurrent get/put pair ----

    public const string MissedAcquire = "Sync returned without acquiring the writes released by a put";

    [CoyoteScenario("zoo.closures.sync-skips-after-get-put-pair", ExpectedError = MissedAcquire, Iterations = 500)]
    public static async Task SyncSkipsAfterGetPut() => await SyncAfterGetPutPair(ClosureMutants.SyncSkipsAfterGetPutPair);

    [CoyoteScenario("zoo.closures.sync-skips-after-get-put-pair.baseline", Iterations = 150)]
    public static async Task SyncSkipsAfterGetPutBaseline() => await SyncAfterGetPutPair(null);

    /// <summary>
    /// A worker takes a reference, writes, and drops it (its put releases the write); the owner
    /// then syncs and must have acquired that put. Coyote is sequentially consistent, so the
    /// acquire is made observable through <see cref="ClosureMutants.MemoryModel"/>: the owner's
    /// view counts the puts it acquired.
    /// </summary>
    private static async Task SyncAfterGetPutPair(string? mutant)
    {
        Mutations.Active = mutant;
        var model = new AcquireModel();
        ClosureMutants.MemoryModel = model;
        try
        {
            var closure = new Closure();
            closure.Get();
            Task worker = Task.Run(() =>
            {
                model.PutsReleased++; // the write this put releases; counted before the put can be acquired
                closure.Put();
            });

            await Task.Yield();
            closure.Sync();
            Specification.Assert(model.PutsAcquired == model.PutsReleased, $"{MissedAcquire} ({model.PutsAcquired} of {model.PutsReleased} puts acquired)");
            closure.Return();
            await worker;
        }
        finally
        {
            ClosureMutants.MemoryModel = null;
        }
    }

    /// <summary>Counts which puts the owner's acquires cover (ghost state; Coyote runs one task at a time).</summary>
    private sealed class AcquireModel : IClosureMemoryModel
    {
        public int PutsReleased;
        public int PutsAcquired;

        public void Acquired(Closure closure) => this.PutsAcquired = this.PutsReleased;

        public void SkippedAcquire(Closure closure)
        {
        }
    }

    // ---- Bug 5: sync's fast path disabled: sync on a finished closure corrupts the count ----

    [CoyoteScenario("zoo.closures.sync-fast-path-disabled", ExpectedError = "ClosureStateException", Iterations = 100)]
    public static Task SyncFastPathDisabled() => SyncOnFinishedClosure(ClosureMutants.SyncFastPathDisabled);

    [CoyoteScenario("zoo.closures.sync-fast-path-disabled.baseline", Iterations = 50)]
    public static Task SyncFastPathDisabledBaseline() => SyncOnFinishedClosure(null);

    /// <summary>Work drops its reference concurrently, the owner finishes with ReturnSync, then syncs the finished closure (a no-op).</summary>
    private static async Task SyncOnFinishedClosure(string? mutant)
    {
        Mutations.Active = mutant;
        var closure = new Closure();
        closure.Get();
        Task worker = Task.Run(closure.Put);
        closure.ReturnSync();
        await worker;
        Specification.Assert(closure.IsFinished, "the closure did not finish after ReturnSync");
        closure.Sync();
        Specification.Assert(closure.IsFinished, "Sync on a finished closure changed it");
    }
}
