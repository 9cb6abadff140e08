using BenchmarkDotNet.Attributes;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;

namespace Primitives.Benchmarks.Filesystem;

/// <summary>
/// Group commit scaling: N committers each commit a transaction and fsync it, 20 times; concurrent
/// flushes share journal writes, so time per operation should grow far slower than N. On an image file.
/// </summary>
public class GroupCommitBenchmarks
{
    private const int CommitsPerCommitter = 20;
    private readonly byte[] _value = new byte[48];
    private BlockDevice? _device;
    private MountedFilesystem? _fs;
    private string? _dir;
    private long _next;

    [Params(1, 2, 4, 8)]
    public int Committers { get; set; }

    [GlobalSetup]
    public void Setup() => (_device, _fs, _dir) = FilesystemBench.MountAsync("image").GetAwaiter().GetResult();

    [GlobalCleanup]
    public void Cleanup() => FilesystemBench.DisposeAsync(_device!, _fs!, _dir).GetAwaiter().GetResult();

    [Benchmark(OperationsPerInvoke = CommitsPerCommitter)]
    public Task CommitAndFsync() => Task.WhenAll(Enumerable.Range(0, Committers).Select(c => Task.Run(async () =>
    {
        for (int i = 0; i < CommitsPerCommitter; i++)
        {
            ulong seq;
            using (var tx = _fs!.KeyValues.Begin())
            {
                tx.Set(BtreeId.Dirents, new Bpos((ulong)c + 1, (ulong)(Interlocked.Increment(ref _next) % 100_000)), _value);
                seq = tx.Commit();
            }

            await _fs.KeyValues.FlushAsync(seq);
        }
    })));
}
