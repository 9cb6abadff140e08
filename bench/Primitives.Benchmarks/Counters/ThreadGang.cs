namespace Primitives.Benchmarks.Counters;

/// <summary>
/// A fixed set of threads that run one body together per call to <see cref="Run"/>: the calling
/// thread is participant 0 and <c>threads - 1</c> parked workers join it, all released by one
/// barrier and collected by another, so a benchmark invocation measures only the bodies (plus two
/// barrier phases, negligible next to a million operations) and allocates nothing.
/// </summary>
internal sealed class ThreadGang : IDisposable
{
    private readonly Barrier? _start;
    private readonly Barrier? _end;
    private readonly Thread[] _workers;
    private Action<int>? _body;
    private volatile bool _stopping;

    public ThreadGang(int threads)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        Threads = threads;
        _workers = new Thread[threads - 1];
        if (threads == 1)
        {
            return;
        }

        _start = new Barrier(threads);
        _end = new Barrier(threads);
        for (int i = 0; i < _workers.Length; i++)
        {
            int index = i + 1;
            _workers[i] = new Thread(() => Work(index)) { IsBackground = true, Name = $"gang-{index}" };
            _workers[i].Start();
        }
    }

    public int Threads { get; }

    /// <summary>Runs <paramref name="body"/>(index) on every participant at once and returns when all have finished.</summary>
    public void Run(Action<int> body)
    {
        if (_start is null)
        {
            body(0);
            return;
        }

        _body = body;
        _start.SignalAndWait();
        body(0);
        _end!.SignalAndWait();
    }

    public void Dispose()
    {
        if (_start is null)
        {
            return;
        }

        _stopping = true;
        _start.SignalAndWait();
        foreach (var worker in _workers)
        {
            worker.Join();
        }

        _start.Dispose();
        _end!.Dispose();
    }

    private void Work(int index)
    {
        while (true)
        {
            _start!.SignalAndWait();
            if (_stopping)
            {
                return;
            }

            _body!(index);
            _end!.SignalAndWait();
        }
    }
}
