using Microsoft.Coyote.Specifications;
using Primitives.Closures;
using Primitives.Internal;

namespace Primitives.Coyote.BugZoo.Closures;

/// <summary>
/// Bug 3 of the closures (a missing read barrier: the waker's read of the sleeper could be
/// satisfied before it observed the count reach zero), made explicit for a sequentially
/// consistent explorer by <see cref="ClosureMutants.SleeperReadBeforeFinalPut"/>.
/// </summary>
internal static class ClosureBarrierZooScenarios
{
    public const string LostWake = "Deadlock";

    [CoyoteScenario("zoo.closures.sleeper-read-before-final-put", ExpectedError = LostWake, Iterations = 1_000)]
    public static void SleeperReadBeforeFinalPut() => SyncAgainstTheLastPut(ClosureMutants.SleeperReadBeforeFinalPut);

    [CoyoteScenario("zoo.closures.sleeper-read-before-final-put.baseline", Iterations = 150)]
    public static void SleeperReadBeforeFinalPutBaseline() => SyncAgainstTheLastPut(null);

    /// <summary>
    /// The owner syncs while a worker drops the last outstanding reference. With the stale read,
    /// the worker can read the sleeper before the owner registers, then reach zero and wake
    /// nobody: the owner stays parked (Coyote reports the deadlock).
    /// </summary>
    private static void SyncAgainstTheLastPut(string? mutant)
    {
        Mutations.Active = mutant;
        var closure = new Closure();
        closure.Get();
        bool put = false;
        Task worker = Task.Run(() =>
        {
            put = true;
            closure.Put();
        });
        closure.Sync();
        Specification.Assert(put && closure.Remaining == 1, $"Sync returned early: {closure}");
        closure.Return();
        worker.Wait();
    }
}
