using BenchmarkDotNet.Attributes;
using Primitives.Statistics;

namespace Primitives.Benchmarks.Statistics;

/// <summary>
/// <see cref="TimeStats.Record"/> from several threads at once into one instance, direct (every
/// event takes the shared lock) against buffered (per-processor buffers, the lock once per 31
/// events): the contention that buffering exists to remove. Mean is wall time divided by the
/// events of one thread (all threads record that many concurrently); each invocation
/// is <see cref="EventsPerThread"/> events on every thread, started and joined with a barrier
/// (its cost, a few microseconds, is included and amortised over the events).
/// </summary>
[MemoryDiagnoser]
public class TimeStatsContendedBenchmarks
{
    private const int EventsPerThread = 16_384;

    private Barrier _barrier = null!;
    private Thread[] _workers = [];
    private TimeStats _target = null!;
    private volatile bool _stop;

    [Params(2, 4)]
    public int Threads { get; set; }

    [Params(false, true)]
    public bool Buffered { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _target = new TimeStats("contended", Buffered ? BufferingPolicy.Always : BufferingPolicy.Never);
        _barrier = new Barrier(Threads);
        _workers = new Thread[Threads - 1];
        for (int t = 0; t < _workers.Length; t++)
        {
            _workers[t] = new Thread(WorkerLoop) { IsBackground = true };
            _workers[t].Start();
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _stop = true;
        _barrier.SignalAndWait(); // release the workers from their start wait; they see _stop and exit
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _barrier.Dispose();
    }

    [Benchmark(OperationsPerInvoke = EventsPerThread)]
    public void Record()
    {
        _barrier.SignalAndWait(); // start
        RecordMany(_target);
        _barrier.SignalAndWait(); // all done
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _barrier.SignalAndWait();
            if (_stop)
            {
                return;
            }

            RecordMany(_target);
            _barrier.SignalAndWait();
        }
    }

    private static void RecordMany(TimeStats stats)
    {
        long clock = 0;
        for (int i = 0; i < EventsPerThread; i++)
        {
            clock += 100;
            stats.Record(clock, clock + 250 + (i & 1023));
        }
    }
}
