using System.Diagnostics;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Benchmarks.Locking;
using Primitives.Filesystem.Engine;

namespace Primitives.Benchmarks.Filesystem;

/// <summary>
/// Commit latency of one small transaction (4 keys), without and with a flush (fsync: device
/// flush, journal entry write, device flush), on an image file (O_DIRECT where the filesystem
/// allows it). BenchmarkDotNet's Median and P95 are over iterations (means of many commits); the
/// per-commit distribution goes to <c>journal-commit-latency.md</c>/<c>.csv</c> ([GlobalCleanup]):
/// every commit after the first invocation timed into a <see cref="LatencyRecorder"/> (TimeStats'
/// histogram: p50/p90/p99/p99.9 within 1/32).
/// </summary>
[Config(typeof(PercentileConfig))]
public class JournalCommitBenchmarks
{
    private static readonly ResultTable s_table = new(
        "journal-commit-latency",
        "# Journal commit latency per commit, nanoseconds\n\nOne transaction of 4 keys; flush: followed by an fsync of its journal entry (group commit with nobody else). count, mean, max: TimeStats over every commit after the first invocation; p50/p90/p99/p999: its histogram (within 1/32); estimator_p50: TimeStats' streaming estimate.",
        1,
        ["flush", .. LatencySummary.Columns]);

    private readonly LatencyRecorder _recorder = new("commit");
    private readonly byte[] _value = new byte[48];
    private BlockDevice? _device;
    private MountedFilesystem? _fs;
    private string? _dir;
    private ulong _next;

    [Params(false, true)]
    public bool Flush { get; set; }

    [GlobalSetup]
    public void Setup() => (_device, _fs, _dir) = FilesystemBench.MountAsync("image").GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup()
    {
        FilesystemBench.DisposeAsync(_device!, _fs!, _dir).GetAwaiter().GetResult();
        s_table.Upsert([Flush ? "yes" : "no", .. _recorder.Summarize().ToCells()]);
    }

    [Benchmark]
    public async Task Commit()
    {
        _recorder.BeginInvocation(); // forgets the first (jitting) invocation's sample
        long start = Stopwatch.GetTimestamp();
        ulong seq;
        using (var tx = _fs!.KeyValues.Begin())
        {
            for (int i = 0; i < 4; i++)
            {
                tx.Set(BtreeId.Inodes, new Bpos(9, _next++ % 50_000), _value);
            }

            seq = tx.Commit();
        }

        if (Flush)
        {
            await _fs.KeyValues.FlushAsync(seq);
        }

        _recorder.Record(start, Stopwatch.GetTimestamp());
    }

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig()
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
        }
    }
}
