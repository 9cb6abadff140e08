using Microsoft.Coyote.Specifications;
using Primitives.Counters;

namespace Primitives.Coyote.Tests.Counters;

/// <summary>
/// <see cref="PerCpuReservation"/> under Coyote, checked against a shared ghost ledger of the
/// units callers hold: updated right where a grant returns and right before a release starts
/// (no scheduling point in between, so the ledger changes at the calls' edges). The ledger never
/// exceeds the capacity at any step, <see cref="PerCpuReservation.Reserved"/> never exceeds it
/// either, and after every release the whole capacity is available again.
/// </summary>
internal static class PerCpuReservationScenarios
{
    private const long Capacity = 10;

    [CoyoteScenario("counters.reservation.never-overcommits", Iterations = 150)]
    public static async Task ReserveReleaseNeverOvercommits()
    {
        var reservation = new PerCpuReservation(Capacity, chunkSize: 3);
        var ledger = new Ledger(Capacity);
        long[][] plans = [[4, 3], [5, 1], [2, 6]];
        var tasks = new Task[plans.Length + 1];
        for (int t = 0; t < plans.Length; t++)
        {
            long[] plan = plans[t];
            tasks[t] = Task.Run(() =>
            {
                var held = new List<long>();
                foreach (long amount in plan)
                {
                    if (reservation.TryReserve(amount))
                    {
                        ledger.Granted(amount);
                        held.Add(amount);
                    }
                }

                // Release everything at once: exercises the other-slot and frozen slow paths
                // when the units were counted on more than one slot.
                long total = held.Sum();
                ledger.Releasing(total);
                reservation.Release(total);
            });
        }

        tasks[plans.Length] = Task.Run(() =>
        {
            for (int i = 0; i < 3; i++)
            {
                long reserved = reservation.Reserved;
                Specification.Assert(reserved is >= 0 and <= Capacity, $"Reserved is {reserved}, outside [0, {Capacity}]");
            }
        });

        await Task.WhenAll(tasks);
        AssertNothingLost(reservation);
    }

    /// <summary>Competing reservers for the last units: exactly the units that fit are granted.</summary>
    [CoyoteScenario("counters.reservation.last-units", Iterations = 150)]
    public static async Task CompetingForTheLastUnits()
    {
        var reservation = new PerCpuReservation(Capacity, chunkSize: 4);
        var ledger = new Ledger(Capacity);
        Specification.Assert(reservation.TryReserve(6), "the first 6 of 10 units were refused");
        ledger.Granted(6);

        int granted = 0;
        Task Reserver() => Task.Run(() =>
        {
            if (reservation.TryReserve(3))
            {
                ledger.Granted(3);
                granted++;
            }
        });

        await Task.WhenAll(new[] { Reserver(), Reserver() });
        Specification.Assert(granted <= 1, $"{granted} reservations of 3 granted out of 4 free units");
        ledger.Releasing(6 + (3 * granted));
        reservation.Release(6 + (3 * granted));
        AssertNothingLost(reservation);
    }

    private static void AssertNothingLost(PerCpuReservation reservation)
    {
        Specification.Assert(reservation.Reserved == 0, $"Reserved is {reservation.Reserved} after every release");
        Specification.Assert(reservation.Available == Capacity, $"Available is {reservation.Available} after every release, not {Capacity}");
        Specification.Assert(reservation.TryReserve(Capacity), "the whole capacity cannot be reserved after every release: space was lost");
        reservation.Release(Capacity);
    }

    /// <summary>The units callers hold, as the callers see it.</summary>
    private sealed class Ledger(long capacity)
    {
        private long _held;

        public void Granted(long amount)
        {
            _held += amount;
            Specification.Assert(_held <= capacity, $"over-commit: callers hold {_held} units of {capacity}");
        }

        public void Releasing(long amount)
        {
            _held -= amount;
            Specification.Assert(_held >= 0, $"ledger went negative ({_held})");
        }
    }
}
