using Primitives.Internal;

namespace Primitives.Benchmarks.Counters;

/// <summary>
/// The design <see cref="Primitives.Counters.PerCpuCounter"/> did not take, kept here to measure
/// the choice: a <c>LongAdder</c>-style counter that adds to one base field until a CAS on it
/// fails, and only then allocates a table of padded cells indexed by processor. Its uncontended
/// path is one CAS on the base, with no per-processor memory until contention is seen.
/// </summary>
internal sealed class LazyStripedCounter
{
    private PaddedInt64 _base;
    private PaddedInt64[]? _cells;

    public void Increment()
    {
        PaddedInt64[]? cells = Volatile.Read(ref _cells);
        if (cells is null)
        {
            long seen = Volatile.Read(ref _base.Value);
            if (Interlocked.CompareExchange(ref _base.Value, seen + 1, seen) == seen)
            {
                return;
            }

            // Contention seen: publish the table once (the loser of this race uses the winner's).
            Interlocked.CompareExchange(ref _cells, new PaddedInt64[PerCpu.SlotCount], null);
            cells = _cells!;
        }

        Interlocked.Increment(ref cells[PerCpu.CurrentSlot()].Value);
    }

    public long Sum()
    {
        long sum = Volatile.Read(ref _base.Value);
        PaddedInt64[]? cells = Volatile.Read(ref _cells);
        if (cells is not null)
        {
            for (int i = 0; i < cells.Length; i++)
            {
                sum += Volatile.Read(ref cells[i].Value);
            }
        }

        return sum;
    }
}
