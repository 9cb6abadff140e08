using System.Diagnostics;
using System.Globalization;

using BenchmarkDotNet.Attributes;

using Primitives.Benchmarks.Counters;
using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// Handoff latency: the time from a holder's unlock to the waiter running with the lock. Two
/// threads take turns in a fixed protocol: the holder takes the lock, waits until the waiter has
/// announced that it is about to block, holds on for <see cref="HoldMicroseconds"/> (2 us: the
/// waiter is probably still spinning; 100 us: every peer's waiter has parked), stores
/// <see cref="Stopwatch.GetTimestamp"/> and unlocks; the waiter reads the timestamp as soon as
/// it holds the lock and records the difference. Asynchronous peers' waiters are async methods
/// on the thread pool (their holder takes the lock synchronously on a dedicated thread), so their
/// latency includes getting the continuation scheduled, as their users see it.
/// </summary>
/// <remarks>
/// BenchmarkDotNet's Mean is the time of a whole round per handoff (hold, handoff, release, and
/// the turn-taking), not the latency. The latency distribution goes to
/// <c>handoff-latency.md</c>/<c>.csv</c> in the results folder ([GlobalCleanup]): count, mean and
/// max from TimeStats over every handoff after the first invocation, p50/p90/p99/p99.9 from its
/// histogram (within 1/32), its streaming p50 estimate, and (async peers) the share of handoffs whose
/// continuation ran inline on the unlocking thread.
/// </remarks>
[Config(typeof(LockSuiteConfig))]
public class HandoffLatencyBenchmarks
{
    private const int Rounds = 200;

    private static readonly ResultTable s_table = new(
        "handoff-latency",
        "# Handoff latency (unlock to waiter running), nanoseconds\n\nhold_us: how long the holder held the lock after the waiter started waiting. count, mean, max: TimeStats over every handoff after the first invocation; p50/p90/p99/p999: TimeStats' histogram over the same (within 1/32); estimator_p50: TimeStats' streaming 8/16 quantile estimate. inline_pct: share of async handoffs whose continuation ran on the unlocking thread.",
        2,
        ["peer", "hold_us", .. LatencySummary.Columns, "inline_pct"]);

    private readonly PhaseSignal _phase = new();
    private readonly Dictionary<string, HandoffPeer> _peers = [];
    private ThreadGang _gang = null!;
    private LatencyRecorder _recorder = null!;
    private Action<int> _participate = null!;
    private HandoffPeer? _peer;
    private long _unlockTimestamp;
    private int _holderThreadId;
    private long _inline;

    /// <summary>How long the holder keeps the lock once the waiter is about to wait.</summary>
    [Params(2, 100)]
    public int HoldMicroseconds { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(2);
        _recorder = new LatencyRecorder("handoff");
        _participate = Participate;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        if (_peer is null)
        {
            return;
        }

        var summary = _recorder.Summarize();
        string inlinePct = _peer.IsAsync && summary.Count > 0
            ? (100.0 * _inline / summary.Count).ToString("0.#", CultureInfo.InvariantCulture)
            : "-";
        s_table.Upsert([_peer.Name, HoldMicroseconds.ToString(CultureInfo.InvariantCulture), .. summary.ToCells(), inlinePct]);
    }

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void SixLockWrite() => Run(HandoffPeer.SixLockWrite);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void SixLockReadAfterWrite() => Run(HandoffPeer.SixLockReadAfterWrite);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void SixLockWriteAsync() => Run(HandoffPeer.SixLockWriteAsync);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void Monitor() => Run(HandoffPeer.Monitor);

    [Benchmark(Baseline = true, OperationsPerInvoke = Rounds)]
    public void Lock() => Run(HandoffPeer.Lock);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void SemaphoreSlim() => Run(HandoffPeer.SemaphoreSlim);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void SemaphoreSlimAsync() => Run(HandoffPeer.SemaphoreSlimAsync);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void RwlsWrite() => Run(HandoffPeer.RwlsWrite);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void DotNextExclusiveAsync() => Run(HandoffPeer.DotNextExclusive);

    [Benchmark(OperationsPerInvoke = Rounds)]
    public void NitoLockAsync() => Run(HandoffPeer.NitoLock);

    private void Run(Func<HandoffPeer> create)
    {
        // One peer per case; the dictionary only keeps the instance across invocations.
        string key = create.Method.Name;
        if (!_peers.TryGetValue(key, out var peer))
        {
            _peers[key] = peer = create();
        }

        _peer = peer;
        if (_recorder.BeginInvocation())
        {
            _inline = 0;
        }

        _gang.Run(_participate);
        _phase.Set(0);
    }

    private void Participate(int index)
    {
        if (index == 0)
        {
            Holder(_peer!);
        }
        else if (_peer!.IsAsync)
        {
            WaiterAsync(_peer).GetAwaiter().GetResult();
        }
        else
        {
            Waiter(_peer);
        }
    }

    // Steps: 1 = holder holds; 2 = waiter about to wait; 3 = waiter done with the lock.
    private void Holder(HandoffPeer peer)
    {
        _holderThreadId = Environment.CurrentManagedThreadId;
        long holdTicks = HoldMicroseconds * Stopwatch.Frequency / 1_000_000;
        for (int r = 0; r < Rounds; r++)
        {
            peer.Hold();
            _phase.Set(1);
            _phase.WaitFor(2);
            long until = Stopwatch.GetTimestamp() + holdTicks;
            while (Stopwatch.GetTimestamp() < until)
            {
                Thread.SpinWait(4);
            }

            Volatile.Write(ref _unlockTimestamp, Stopwatch.GetTimestamp());
            peer.ReleaseHold();
            _phase.WaitFor(3);
        }
    }

    private void Waiter(HandoffPeer peer)
    {
        for (int r = 0; r < Rounds; r++)
        {
            _phase.WaitFor(1);
            _phase.Set(2);
            peer.Wait();
            long now = Stopwatch.GetTimestamp();
            _recorder.Record(Volatile.Read(ref _unlockTimestamp), now);
            peer.ReleaseWait();
            _phase.Set(3);
        }
    }

    private async Task WaiterAsync(HandoffPeer peer)
    {
        for (int r = 0; r < Rounds; r++)
        {
            await _phase.WaitForAsync(1);
            _phase.Set(2);
            await peer.WaitAsync();
            long now = Stopwatch.GetTimestamp();
            _recorder.Record(Volatile.Read(ref _unlockTimestamp), now);
            if (Environment.CurrentManagedThreadId == _holderThreadId)
            {
                _inline++;
            }

            peer.ReleaseWait();
            _phase.Set(3);
        }
    }
}
