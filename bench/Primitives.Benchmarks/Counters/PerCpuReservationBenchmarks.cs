using BenchmarkDotNet.Attributes;

using Primitives.Counters;
using Primitives.Internal;

namespace Primitives.Benchmarks.Counters;

/// <summary>
/// A <see cref="PerCpuReservation.TryReserve"/> + <see cref="PerCpuReservation.Release"/> pair
/// against the obvious global alternative (one CAS-bounded field: CAS down if enough, add back on
/// release), with 1 and 2 threads each doing <see cref="PairsPerThread"/> pairs, released together.
/// Mean is wall time per pair of one thread (see <see cref="PerCpuCounterBenchmarks"/>).
/// </summary>
[MemoryDiagnoser]
public class PerCpuReservationBenchmarks
{
    private const int PairsPerThread = 1 << 18;
    private const long Capacity = 1L << 40;

    private ThreadGang _gang = null!;
    private PerCpuReservation _reservation = null!;
    private PaddedInt64 _available;
    private Action<int> _globalBody = null!;
    private Action<int> _perCpuBody = null!;

    [Params(1, 2)]
    public int Threads { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Threads);
        _reservation = new PerCpuReservation(Capacity);
        _available.Value = Capacity;
        _globalBody = _ =>
        {
            for (int i = 0; i < PairsPerThread; i++)
            {
                if (!TryReserveGlobal(8))
                {
                    throw new InvalidOperationException("out of space");
                }

                Interlocked.Add(ref _available.Value, 8);
            }
        };
        _perCpuBody = _ =>
        {
            PerCpuReservation reservation = _reservation;
            for (int i = 0; i < PairsPerThread; i++)
            {
                if (!reservation.TryReserve(8))
                {
                    throw new InvalidOperationException("out of space");
                }

                reservation.Release(8);
            }
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        if (_reservation.Reserved != 0 || _available.Value != Capacity)
        {
            throw new InvalidOperationException("space leaked");
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = PairsPerThread)]
    public void GlobalCasPair() => _gang.Run(_globalBody);

    [Benchmark(OperationsPerInvoke = PairsPerThread)]
    public void PerCpuReservationPair() => _gang.Run(_perCpuBody);

    private bool TryReserveGlobal(long amount)
    {
        long seen = Volatile.Read(ref _available.Value);
        while (seen >= amount)
        {
            long witnessed = Interlocked.CompareExchange(ref _available.Value, seen - amount, seen);
            if (witnessed == seen)
            {
                return true;
            }

            seen = witnessed;
        }

        return false;
    }
}
