using System.Diagnostics;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// A shared step number two benchmark participants use to take turns without a lock: one sets
/// it, the other spins until it sees the value. Spinning yields the processor now and then (never
/// Sleep(1)), and gives up with a <see cref="TimeoutException"/> after <see cref="Timeout"/>, so
/// a broken protocol fails the benchmark case instead of hanging it.
/// </summary>
internal sealed class PhaseSignal
{
    /// <summary>How long a participant waits for the other before the case fails.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private int _value;

    public int Value => Volatile.Read(ref _value);

    /// <summary>Publishes <paramref name="value"/> with release semantics.</summary>
    public void Set(int value) => Volatile.Write(ref _value, value);

    /// <summary>Spins (yielding now and then) until the value is <paramref name="value"/>.</summary>
    public void WaitFor(int value)
    {
        var spin = default(SpinWait);
        long start = 0;
        while (Volatile.Read(ref _value) != value)
        {
            spin.SpinOnce(sleep1Threshold: -1);
            if (spin.Count % 1024 == 0)
            {
                CheckTimeout(ref start, value);
            }
        }
    }

    /// <summary>
    /// Like <see cref="WaitFor"/>, but after a short spin it yields to the thread pool
    /// (<see cref="Task.Yield"/>), so an asynchronous participant whose continuation happens to run
    /// inline on the other participant's thread gives that thread back.
    /// </summary>
    public async ValueTask WaitForAsync(int value)
    {
        long start = 0;
        for (int spins = 0; Volatile.Read(ref _value) != value; spins++)
        {
            if (spins < 64)
            {
                Thread.SpinWait(16);
                continue;
            }

            await Task.Yield();
            CheckTimeout(ref start, value);
        }
    }

    private void CheckTimeout(ref long start, int value)
    {
        if (start == 0)
        {
            start = Stopwatch.GetTimestamp();
        }
        else if (Stopwatch.GetElapsedTime(start) > Timeout)
        {
            throw new TimeoutException($"waited {Timeout} for step {value}; the step is {Value}");
        }
    }
}
