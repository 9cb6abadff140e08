using CsCheck;

using Primitives.Counters;

namespace Primitives.Tests.Counters;

/// <summary>
/// Property test: random single-threaded sequences of reserves and releases (valid and invalid)
/// against a model that is just the number of units held; with no concurrency the pool must be
/// exact: a reserve fails exactly when it asks for more than is available, a release throws
/// exactly when it returns more than is held.
/// </summary>
public sealed class PerCpuReservationModelTests
{
    [Fact]
    public void RandomReserveAndReleaseSequencesMatchTheModel()
    {
        var steps = Gen.Select(Gen.Bool, Gen.Long[0, 1_200], Gen.Int[0, 3]).Array[0, 150];
        Gen.Select(Gen.Long[0, 1_000], Gen.Long[1, 500], steps).Sample((capacity, chunkSize, sequence) =>
        {
            var pool = new PerCpuReservation(capacity, chunkSize);
            var holdings = new List<long>();
            long held = 0;
            foreach (var (reserve, amount, pick) in sequence)
            {
                if (reserve)
                {
                    bool granted = pool.TryReserve(amount);
                    Assert.Equal(amount <= capacity - held, granted);
                    if (granted)
                    {
                        holdings.Add(amount);
                        held += amount;
                    }
                }
                else if (pick > 0 && holdings.Count > 0)
                {
                    // A valid release of something held.
                    long returned = holdings[pick % holdings.Count];
                    holdings.Remove(returned);
                    pool.Release(returned);
                    held -= returned;
                }
                else if (amount > held)
                {
                    Assert.Throws<InvalidOperationException>(() => pool.Release(amount));
                }
                else
                {
                    // Releasing part of what is held in total (not one holding) is allowed.
                    pool.Release(amount);
                    held -= amount;
                    holdings.Clear();
                    if (held > 0)
                    {
                        holdings.Add(held);
                    }
                }

                Assert.Equal(held, pool.Reserved);
                Assert.Equal(capacity - held, pool.Available);
            }
        }, iter: 300);
    }
}
