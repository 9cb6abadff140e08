#if PRIMITIVES_MUTANTS
namespace Primitives.Closures;

/// <summary>
/// The closures' historical bugs, re-planted for the bug zoo (compiled only with
/// <c>PRIMITIVES_MUTANTS</c>; activate one with <c>Mutations.Active = ClosureMutants.X</c>).
/// </summary>
internal static class ClosureMutants
{
    /// <summary>
    /// Bug 1 (2019, "race on wakeup from sync"): the waker wrote the syncer's <c>done</c> flag and
    /// then used the syncer's (on-stack) record to wake its task; the syncer could already have
    /// seen <c>done</c>, returned and reused that stack. Here the record is the thread's reusable
    /// <see cref="ClosureSyncer"/>: the mutant waker publishes <c>done</c> outside the monitor and
    /// then signals again, so its late write completes the syncer's <em>next</em> wait before that
    /// closure's count is zero.
    /// </summary>
    public const string WakerTouchesSyncerAfterSignal = "Closures.WakerTouchesSyncerAfterSignal";

    /// <summary>
    /// Bug 2 (Oct 2023): sync decided "nothing in flight" from the count alone (a relaxed read of
    /// 1), so after a concurrent get/put pair it skipped blocking and with it the acquire that
    /// pairs with the other thread's releasing put: that thread's writes need not be visible. Fixed
    /// with a "get happened" flag (always take the slow path after any get), release semantics on
    /// put and an acquire after the count hits zero. Coyote runs under sequential consistency, so
    /// the bug zoo makes the skipped acquire observable through <see cref="MemoryModel"/>.
    /// </summary>
    public const string SyncSkipsAfterGetPutPair = "Closures.SyncSkipsAfterGetPutPair";

    /// <summary>
    /// Bug 3 (2026): on weakly ordered CPUs the waker read the sleeper (and the continuation)
    /// without a read barrier after observing the count reach zero, so the read could be satisfied
    /// before the syncer had published its record. Coyote is sequentially consistent, so the
    /// mutant makes the reordering explicit: it reads the sleeper before its subtraction, and
    /// may wake a stale (null) sleeper, leaving the syncer parked forever.
    /// </summary>
    public const string SleeperReadBeforeFinalPut = "Closures.SleeperReadBeforeFinalPut";

    /// <summary>
    /// Bug 5: a debug change disabled sync's fast path, so sync on a zeroed (never used, or
    /// finished) closure subtracted the step's reference from a count of zero, which wrapped into
    /// the guard bits. Here the guard bits catch it and the subtraction throws
    /// <see cref="ClosureStateException"/>.
    /// </summary>
    public const string SyncFastPathDisabled = "Closures.SyncFastPathDisabled";

    /// <summary>
    /// A test's model of weak memory (null: none). The library reports where it acquires the
    /// state other threads released with their puts, and where the bug-2 mutant skips that acquire.
    /// </summary>
    public static IClosureMemoryModel? MemoryModel;
}

/// <summary>Hooks through which a bug-zoo test models acquire/release visibility.</summary>
internal interface IClosureMemoryModel
{
    /// <summary>The current thread performed an acquire that pairs with every put on <paramref name="closure"/> so far.</summary>
    void Acquired(Closure closure);

    /// <summary>The current thread decided from a relaxed read, without an acquire.</summary>
    void SkippedAcquire(Closure closure);
}
#endif
