using System.Diagnostics;
using System.Globalization;

using BenchmarkDotNet.Attributes;

using Primitives.Benchmarks.Counters;
using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// One updater with a long read-then-write critical section while <see cref="Readers"/> threads
/// keep reading: the case the intent state exists for. The updater takes SixLock intent (or
/// ReaderWriterLockSlim's upgradeable read lock, its nearest equivalent), reads the whole shared
/// array <see cref="ReadPasses"/> times (several microseconds), then upgrades to write (SixLock
/// write under intent; RWLS EnterWriteLock inside the upgradeable lock), writes one element and
/// releases both. Readers take read, sum two elements and release, in a loop until the updater
/// has done its <see cref="Updates"/> updates.
/// </summary>
/// <remarks>
/// Mean is the updater's time per update (both locks, the read passes and the write). Reader
/// throughput and the upgrade wait (request for write to holding it: readers must drain) go to
/// <c>intent-with-readers.md</c>/<c>.csv</c> from [GlobalCleanup]: reads per second over all
/// invocations after the first, and the upgrade wait's p50/p99/max.
/// </remarks>
[Config(typeof(LockSuiteConfig))]
public class IntentWithReadersBenchmarks
{
    public const int Updates = 100;
    public const int ReadPasses = 8;

    private static readonly ResultTable s_table = new(
        "intent-with-readers",
        "# One updater (intent / upgradeable read, long read section, short write) with N readers\n\nupdate_ns: updater time per update. upgrade_*: wait from requesting write under intent to holding it, nanoseconds. reads_per_s: all readers together, while the updater ran.",
        2,
        ["peer", "readers", "updates", "update_ns", "upgrade_p50_ns", "upgrade_p99_ns", "upgrade_max_ns", "reads_per_s", "reads_per_update"]);

    private readonly SixLock _six = new();
    private readonly ReaderWriterLockSlim _rwls = new();
    private readonly long[] _data = new long[1024];
    private ThreadGang _gang = null!;
    private LatencyRecorder _upgrade = null!;
    private Action<int> _sixBody = null!;
    private Action<int> _rwlsBody = null!;
    private string? _peer;
    private volatile bool _stop;
    private long _reads;
    private long _updaterTicks;
    private long _updates;
    private long _sink;

    [Params(1, 2, 4, 8)]
    public int Readers { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _gang = new ThreadGang(Readers + 1);
        _upgrade = new LatencyRecorder("upgrade");
        _sixBody = i =>
        {
            if (i == 0)
            {
                Updater(SixUpdate);
            }
            else
            {
                Reader(SixRead);
            }
        };
        _rwlsBody = i =>
        {
            if (i == 0)
            {
                Updater(RwlsUpdate);
            }
            else
            {
                Reader(RwlsRead);
            }
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _gang.Dispose();
        if (_peer is null || _updates == 0)
        {
            return;
        }

        var upgrade = _upgrade.Summarize();
        double seconds = _updaterTicks / (double)Stopwatch.Frequency;
        var inv = CultureInfo.InvariantCulture;
        s_table.Upsert(
            _peer,
            Readers.ToString(inv),
            _updates.ToString(inv),
            ((long)(seconds * 1e9 / _updates)).ToString(inv),
            upgrade.P50.ToString(inv),
            upgrade.P99.ToString(inv),
            upgrade.Max.ToString(inv),
            ((long)(_reads / seconds)).ToString(inv),
            (_reads / _updates).ToString(inv));
    }

    [Benchmark(OperationsPerInvoke = Updates)]
    public long SixLockIntent() => Run("SixLock intent", _sixBody);

    [Benchmark(Baseline = true, OperationsPerInvoke = Updates)]
    public long RwlsUpgradeable() => Run("ReaderWriterLockSlim upgradeable", _rwlsBody);

    private long Run(string peer, Action<int> body)
    {
        _peer = peer;
        if (_upgrade.BeginInvocation())
        {
            _reads = _updaterTicks = _updates = 0;
        }

        _stop = false;
        _gang.Run(body);
        return _sink;
    }

    private void Updater(Func<long> update)
    {
        long start = Stopwatch.GetTimestamp();
        long local = 0;
        for (int u = 0; u < Updates; u++)
        {
            local += update();
        }

        _updaterTicks += Stopwatch.GetTimestamp() - start;
        _updates += Updates;
        _stop = true;
        _sink = local;
    }

    private void Reader(Func<long> read)
    {
        long reads = 0;
        long local = 0;
        while (!_stop)
        {
            local += read();
            reads++;
        }

        Interlocked.Add(ref _reads, reads);
        Interlocked.Add(ref _sink, local);
    }

    private long ReadSection()
    {
        long sum = 0;
        for (int pass = 0; pass < ReadPasses; pass++)
        {
            foreach (long v in _data)
            {
                sum += v;
            }
        }

        return sum;
    }

    private long SixUpdate()
    {
        _six.Lock(SixLockType.Intent);
        long sum = ReadSection();
        long request = Stopwatch.GetTimestamp();
        _six.Lock(SixLockType.Write);
        _upgrade.Record(request, Stopwatch.GetTimestamp());
        _data[0]++;
        _six.Unlock(SixLockType.Write);
        _six.Unlock(SixLockType.Intent);
        return sum;
    }

    private long SixRead()
    {
        _six.Lock(SixLockType.Read);
        long v = _data[0] + _data[7];
        _six.Unlock(SixLockType.Read);
        return v;
    }

    private long RwlsUpdate()
    {
        _rwls.EnterUpgradeableReadLock();
        long sum = ReadSection();
        long request = Stopwatch.GetTimestamp();
        _rwls.EnterWriteLock();
        _upgrade.Record(request, Stopwatch.GetTimestamp());
        _data[0]++;
        _rwls.ExitWriteLock();
        _rwls.ExitUpgradeableReadLock();
        return sum;
    }

    private long RwlsRead()
    {
        _rwls.EnterReadLock();
        long v = _data[0] + _data[7];
        _rwls.ExitReadLock();
        return v;
    }
}
