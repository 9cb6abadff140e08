using Microsoft.Coyote.Specifications;
using Primitives.Counters;
using Primitives.Internal;

namespace Primitives.Coyote.BugZoo.Counters;

/// <summary>
/// <see cref="PerCpuReservation"/> scenarios that need units on two processor slots. The slot is
/// chosen by the processor id, which Coyote does not control, so these run only in the mutant
/// build, whose <see cref="PerCpu.SlotOverride"/> pins each task to a slot.
/// </summary>
internal static class ReservationSlotScenarios
{
    private static Task With(string? mutant, Func<Task> body)
    {
        Mutations.Active = mutant;
        return body();
    }

    [CoyoteScenario("zoo.counters.reservation-refill-during-drain", ExpectedError = "false out of space", Iterations = 2_000)]
    public static Task RefillDuringDrain() => With(CounterMutants.RefillDuringDrain, NoFalseOutOfSpace);

    [CoyoteScenario("zoo.counters.reservation-refill-during-drain.baseline", Iterations = 300)]
    public static Task RefillDuringDrainBaseline() => With(null, NoFalseOutOfSpace);

    [CoyoteScenario("zoo.counters.reservation-unfrozen-release-total", ExpectedError = "correct release refused", Iterations = 2_000)]
    public static Task UnfrozenReleaseTotal() => With(CounterMutants.UnfrozenReleaseTotal, SpreadReleaseIsNeverRefused);

    [CoyoteScenario("zoo.counters.reservation-unfrozen-release-total.baseline", Iterations = 300)]
    public static Task UnfrozenReleaseTotalBaseline() => With(null, SpreadReleaseIsNeverRefused);

    /// <summary>
    /// Capacity 8. A (slot 0) reserves and releases 1 unit twice; B (slot 1) reserves 7. A never
    /// holds more than 1, so B's 7 always fit: the slow path's drain must find every free unit,
    /// including a chunk a concurrent refill is moving into A's cache.
    /// </summary>
    private static async Task NoFalseOutOfSpace()
    {
        var reservation = new PerCpuReservation(capacity: 8, chunkSize: 4);
        Task a = Task.Run(() =>
        {
            PerCpu.SlotOverride.Value = 0;
            for (int i = 0; i < 2; i++)
            {
                Specification.Assert(reservation.TryReserve(1), "false out of space: A's 1 unit refused while B holds at most 7 of 8");
                reservation.Release(1);
            }
        });
        Task b = Task.Run(() =>
        {
            PerCpu.SlotOverride.Value = 1;
            Specification.Assert(reservation.TryReserve(7), "false out of space: 7 of 8 units refused while A held at most 1");
            reservation.Release(7);
        });
        await Task.WhenAll(new[] { a, b });
        Specification.Assert(reservation.Reserved == 0, $"Reserved is {reservation.Reserved} after every release");
        Specification.Assert(reservation.TryReserve(8), "space was lost: the whole capacity cannot be reserved after every release");
    }

    /// <summary>
    /// C holds 2 units counted on slot 0 and 2 on slot 1, so releasing its 4 takes the slow path
    /// (no single count covers 4), which must total the counts frozen. Meanwhile D reserves 1 on
    /// slot 0 and releases it from slot 1: unfrozen, the total can miss D's unit in one count and
    /// C's in the other, and refuse C's correct release.
    /// </summary>
    private static async Task SpreadReleaseIsNeverRefused()
    {
        var reservation = new PerCpuReservation(capacity: 10, chunkSize: 2);
        PerCpu.SlotOverride.Value = 0;
        Specification.Assert(reservation.TryReserve(2), "setup: 2 units on slot 0 refused");
        PerCpu.SlotOverride.Value = 1;
        Specification.Assert(reservation.TryReserve(2), "setup: 2 units on slot 1 refused");
        PerCpu.SlotOverride.Value = null;

        Task c = Task.Run(() =>
        {
            PerCpu.SlotOverride.Value = 0;
            try
            {
                reservation.Release(4);
            }
            catch (InvalidOperationException e)
            {
                Specification.Assert(false, $"correct release refused: {e.Message}");
            }
        });
        Task d = Task.Run(() =>
        {
            PerCpu.SlotOverride.Value = 0;
            Specification.Assert(reservation.TryReserve(1), "D's unit refused");
            PerCpu.SlotOverride.Value = 1;
            try
            {
                reservation.Release(1);
            }
            catch (InvalidOperationException e)
            {
                Specification.Assert(false, $"correct release refused: {e.Message}");
            }
        });
        await Task.WhenAll(new[] { c, d });
        Specification.Assert(reservation.Reserved == 0, $"Reserved is {reservation.Reserved} after every release");
        Specification.Assert(reservation.TryReserve(10), "space was lost: the whole capacity cannot be reserved after every release");
    }
}
