using Microsoft.Coyote.Specifications;

namespace Primitives.Coyote.Tests.Harness;

/// <summary>Scenarios that check the harness itself: a planted lost update, and its fixed twin.</summary>
internal static class HarnessScenarios
{
    public const string LostUpdate = "lost update";

    /// <summary>Two tasks increment a counter with a read, then a write: an update can be lost.</summary>
    [CoyoteScenario("harness.lost-update", ExpectedError = LostUpdate, Iterations = 500)]
    public static async Task ReadThenWriteLosesAnUpdate()
    {
        int counter = 0;
        Task Increment() => Task.Run(() =>
        {
            int seen = Volatile.Read(ref counter);
            Volatile.Write(ref counter, seen + 1);
        });

        await Task.WhenAll(new[] { Increment(), Increment() });
        Specification.Assert(counter == 2, $"{LostUpdate}: counter is {counter} instead of 2");
    }

    /// <summary>The same with an interlocked increment: no update is lost.</summary>
    [CoyoteScenario("harness.interlocked-increment", Iterations = 100)]
    public static async Task InterlockedIncrementLosesNothing()
    {
        int counter = 0;
        Task Increment() => Task.Run(() => Interlocked.Increment(ref counter));
        await Task.WhenAll(new[] { Increment(), Increment() });
        Specification.Assert(counter == 2, $"{LostUpdate}: counter is {counter} instead of 2");
    }
}
