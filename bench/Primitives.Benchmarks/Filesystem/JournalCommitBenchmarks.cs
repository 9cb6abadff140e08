using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;

namespace Primitives.Benchmarks.Filesystem;

/// <summary>
/// Commit latency of one small transaction (4 keys), without and with a flush (fsync: device
/// flush, journal entry write, device flush), on an image file (O_DIRECT where the filesystem
/// allows it). Median and P95 columns; the demo prints p99 from the engine's histogram.
/// </summary>
[Config(typeof(PercentileConfig))]
public class JournalCommitBenchmarks
{
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
    public void Cleanup() => FilesystemBench.DisposeAsync(_device!, _fs!, _dir).GetAwaiter().GetResult();

    [Benchmark]
    public async Task Commit()
    {
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
    }

    private sealed class PercentileConfig : ManualConfig
    {
        public PercentileConfig()
        {
            AddColumn(StatisticColumn.Median, StatisticColumn.P95, StatisticColumn.Max);
        }
    }
}
