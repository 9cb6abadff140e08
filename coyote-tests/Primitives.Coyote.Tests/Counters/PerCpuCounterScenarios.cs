using Microsoft.Coyote.Specifications;
using Primitives.Counters;

namespace Primitives.Coyote.Tests.Counters;

/// <summary>
/// <see cref="PerCpuCounter"/> under Coyote. A batch of 2 or 3 makes almost every add fold (the
/// lock-protected move of a cell into the global count), so folds race with adds and sums.
/// </summary>
/// <remarks>
/// Slot choice comes from <see cref="Thread.GetCurrentProcessorId"/>, which Coyote does not
/// control: two controlled tasks may share a slot or not. The counter must be correct either
/// way (slots are hints), so this only varies which races are explored.
/// </remarks>
internal static class PerCpuCounterScenarios
{
    private const int Adders = 3, AddsPerAdder = 4;

    /// <summary>Concurrent adds of mixed sign and size (some at or over the batch): exact Sum after join.</summary>
    [CoyoteScenario("counters.percpu-counter.exact-sum-after-join", Iterations = 150)]
    public static async Task ConcurrentAddsGiveExactSum()
    {
        var counter = new PerCpuCounter(batch: 3);
        long[] deltas = [1, 2, -1, 5, 1, -4, 2, 3, 1, -2, 7, 1];
        var adders = new Task[Adders];
        for (int a = 0; a < Adders; a++)
        {
            int first = a * AddsPerAdder;
            adders[a] = Task.Run(() =>
            {
                for (int i = first; i < first + AddsPerAdder; i++)
                {
                    counter.Add(deltas[i]);
                }
            });
        }

        await Task.WhenAll(adders);
        long expected = deltas.Sum();
        Specification.Assert(counter.Sum() == expected, $"Sum is {counter.Sum()} instead of {expected}");
        Specification.Assert(Math.Abs(counter.ApproximateValue - expected) <= counter.ErrorBound, $"ApproximateValue {counter.ApproximateValue} is further than {counter.ErrorBound} from {expected}");
    }

    /// <summary>
    /// Sum during non-negative adds lies within [completed before the call, started before it
    /// returned] (a shared ghost ledger of started/completed units), and never decreases.
    /// </summary>
    [CoyoteScenario("counters.percpu-counter.sum-within-bounds", Iterations = 150)]
    public static async Task SumDuringAddsIsWithinBounds()
    {
        var counter = new PerCpuCounter(batch: 2);
        long started = 0, completed = 0;
        var tasks = new Task[Adders + 1];
        for (int a = 0; a < Adders; a++)
        {
            long delta = a + 1;
            tasks[a] = Task.Run(() =>
            {
                for (int i = 0; i < AddsPerAdder; i++)
                {
                    // Ghost updates are plain (not scheduling points): atomic with the call edges.
                    started += delta;
                    counter.Add(delta);
                    completed += delta;
                }
            });
        }

        tasks[Adders] = Task.Run(() =>
        {
            long previous = 0;
            for (int i = 0; i < 3; i++)
            {
                long low = completed;
                long sum = counter.Sum();
                long high = started;
                Specification.Assert(low <= sum && sum <= high, $"Sum {sum} outside [completed {low}, started {high}]");
                Specification.Assert(sum >= previous, $"Sum went back from {previous} to {sum}");
                previous = sum;
            }
        });

        await Task.WhenAll(tasks);
        Specification.Assert(counter.Sum() == completed, $"final Sum {counter.Sum()} != {completed}");
    }

    /// <summary>A reset racing with adds keeps a subset of whole adds: the result is a subset sum of the racing deltas.</summary>
    [CoyoteScenario("counters.percpu-counter.reset-keeps-whole-adds", Iterations = 150)]
    public static async Task ResetRacingAddsKeepsWholeAdds()
    {
        var counter = new PerCpuCounter(batch: 2);
        long[] deltas = [1, 2, 4, 8]; // distinct powers of two: every subset has a distinct sum
        var tasks = new Task[deltas.Length + 1];
        for (int i = 0; i < deltas.Length; i++)
        {
            long delta = deltas[i];
            tasks[i] = Task.Run(() => counter.Add(delta));
        }

        tasks[deltas.Length] = Task.Run(counter.Reset);
        await Task.WhenAll(tasks);
        long sum = counter.Sum();
        Specification.Assert(sum is >= 0 and <= 15, $"after a racing Reset the counter holds {sum}: not a subset of the racing adds");
    }
}
