#if PRIMITIVES_MUTANTS
namespace Primitives.Counters;

/// <summary>
/// Bug-zoo names for the counters (see <c>Primitives.Internal.Mutations</c>): each one brings
/// back a plausible bug that the real code avoids, for a systematic test to find. Compiled only
/// into the mutant build.
/// </summary>
internal static class CounterMutants
{
    /// <summary>
    /// <see cref="PerCpuCounter"/> folds a cell into the global count without the fold lock, so a
    /// <see cref="PerCpuCounter.Sum"/> between the exchange and the add misses adds that completed
    /// before it began.
    /// </summary>
    public const string UnlockedFold = "PerCpuCounter.UnlockedFold";

    /// <summary>
    /// <see cref="PerCpuReservation"/> takes free units with a check then a plain atomic subtract
    /// instead of a compare-and-swap, so two racing reserves can both pass the check: over-commit.
    /// </summary>
    public const string CheckThenSubtract = "PerCpuReservation.CheckThenSubtract";

    /// <summary>
    /// <see cref="PerCpuReservation"/> keeps refilling caches in chunks while the slow path drains,
    /// so it can report out of space while free units are in transit to another cache.
    /// </summary>
    public const string RefillDuringDrain = "PerCpuReservation.RefillDuringDrain";

    /// <summary>
    /// <see cref="PerCpuReservation"/>'s slow release totals the reserved counts without freezing
    /// them, so a concurrent release moving units between counts makes a correct release throw.
    /// </summary>
    public const string UnfrozenReleaseTotal = "PerCpuReservation.UnfrozenReleaseTotal";
}
#endif
