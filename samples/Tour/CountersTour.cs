using Primitives.Counters;

namespace Tour;

/// <summary>Striped per-CPU counters and the bounded per-CPU reservation pool.</summary>
internal static class CountersTour
{
    public static void Run()
    {
        Section.Header("PerCpuCounter: striped counter, exact Sum after the adds, cheap approximate reads");
        var counter = new PerCpuCounter();
        int threads = Math.Max(2, Environment.ProcessorCount);
        const int perThread = 250_000;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (int i = 0; i < perThread; i++) counter.Increment();
        });
        Console.WriteLine($"  {threads} threads x {perThread:N0} increments: Sum() = {counter.Sum():N0} (expected {threads * perThread:N0})");
        Console.WriteLine($"  ApproximateValue = {counter.ApproximateValue:N0}, within ErrorBound = {counter.ErrorBound:N0}");
        Console.WriteLine($"  Compare({threads * perThread:N0}) = {counter.Compare(threads * perThread)}, Compare(0) = {counter.Compare(0)}");

        Section.Header("PerCpuReservation: bounded space accounting that never over-commits");
        var pool = new PerCpuReservation(capacity: 1_000_000, chunkSize: 1024);
        long granted = 0, refused = 0;
        Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
        {
            for (int i = 0; i < 200_000; i++)
            {
                if (pool.TryReserve(7)) Interlocked.Add(ref granted, 7);
                else Interlocked.Increment(ref refused);
            }
        });
        Console.WriteLine($"  capacity {pool.Capacity:N0}: granted {granted:N0}, refused {refused:N0} requests, Reserved = {pool.Reserved:N0}, Available = {pool.Available:N0}");
        pool.Release(granted);
        Console.WriteLine($"  after releasing everything: Reserved = {pool.Reserved:N0}, Available = {pool.Available:N0}");
        try
        {
            pool.Release(1);
        }
        catch (InvalidOperationException e)
        {
            Console.WriteLine($"  releasing more than reserved: {e.GetType().Name}: {e.Message}");
        }
    }
}
