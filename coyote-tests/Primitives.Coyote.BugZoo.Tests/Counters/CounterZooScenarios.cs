using Primitives.Counters;
using Primitives.Internal;
using CounterScenarios = Primitives.Coyote.Tests.Counters.PerCpuCounterScenarios;
using ReservationScenarios = Primitives.Coyote.Tests.Counters.PerCpuReservationScenarios;

namespace Primitives.Coyote.BugZoo.Counters;

/// <summary>The counters' planted bugs (see <see cref="CounterMutants"/>) through the Coyote tests' own scenario bodies.</summary>
internal static class CounterZooScenarios
{
    private static Task With(string? mutant, Func<Task> body)
    {
        Mutations.Active = mutant;
        return body();
    }

    [CoyoteScenario("zoo.counters.unlocked-fold", ExpectedError = "outside [completed", Iterations = 1_000)]
    public static Task UnlockedFold() => With(CounterMutants.UnlockedFold, CounterScenarios.SumDuringAddsIsWithinBounds);

    [CoyoteScenario("zoo.counters.unlocked-fold.baseline", Iterations = 100)]
    public static Task UnlockedFoldBaseline() => With(null, CounterScenarios.SumDuringAddsIsWithinBounds);

    [CoyoteScenario("zoo.counters.reservation-check-then-subtract", ExpectedError = "over-commit", Iterations = 1_000)]
    public static Task CheckThenSubtract() => With(CounterMutants.CheckThenSubtract, ReservationScenarios.CompetingForTheLastUnits);

    [CoyoteScenario("zoo.counters.reservation-check-then-subtract.baseline", Iterations = 100)]
    public static Task CheckThenSubtractBaseline() => With(null, ReservationScenarios.CompetingForTheLastUnits);

    // UnfrozenReleaseTotal and RefillDuringDrain need units counted on two processor slots: see
    // ReservationSlotScenarios, which pins tasks to slots through the mutant build's PerCpu.SlotOverride.
}
