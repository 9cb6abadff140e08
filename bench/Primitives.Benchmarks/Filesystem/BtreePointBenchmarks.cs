using BenchmarkDotNet.Attributes;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;

namespace Primitives.Benchmarks.Filesystem;

/// <summary>
/// Point inserts and lookups through the engine's btrees (SixLock-locked copy-on-write nodes,
/// journalled commits, no fsync) against a <see cref="SortedDictionary{TKey, TValue}"/> under one
/// lock, with 1 and 2 threads; the engine on memory, on an image file and on a loop device (root).
/// One operation = 1000
/// keys per thread (one key per transaction). Inserts cycle through <see cref="KeyWindows"/>
/// windows of keys, so the tree stops growing after the first windows (later rounds overwrite):
/// however many invocations BenchmarkDotNet runs, the device never fills (an unbounded key range
/// ran the 256 MiB device out of buckets).
/// </summary>
[MemoryDiagnoser]
public class BtreePointBenchmarks
{
    private const int KeysPerThread = 1000;
    private const int KeyWindows = 32;
    private readonly byte[] _value = new byte[32];
    private BlockDevice? _device;
    private MountedFilesystem? _fs;
    private string? _dir;
    private SortedDictionary<Bpos, byte[]> _dictionary = [];
    private readonly object _lock = new();
    private ulong _round;

    [Params(1, 2)]
    public int Threads { get; set; }

    [Params("btree-memory", "btree-image", "btree-loop", "sorted-dictionary")]
    public string Store { get; set; } = "btree-memory";

    [GlobalSetup]
    public void Setup()
    {
        if (Store.StartsWith("btree", StringComparison.Ordinal))
        {
            (_device, _fs, _dir) = FilesystemBench.MountAsync(Store["btree-".Length..]).GetAwaiter().GetResult();
        }

        _dictionary = [];
        Insert(); // keys for Lookup
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_fs is not null)
        {
            FilesystemBench.DisposeAsync(_device!, _fs, _dir).GetAwaiter().GetResult();
            _fs = null;
        }
    }

    [Benchmark]
    public void Insert()
    {
        ulong window = Interlocked.Increment(ref _round) % KeyWindows;
        Parallel.For(0, Threads, t =>
        {
            for (int i = 0; i < KeysPerThread; i++)
            {
                var pos = new Bpos((ulong)t + 1, (window * KeysPerThread) + (ulong)i);
                if (_fs is { } fs)
                {
                    using var tx = fs.KeyValues.Begin();
                    tx.Set(BtreeId.Xattrs, pos, _value);
                    tx.Commit();
                }
                else
                {
                    lock (_lock)
                    {
                        _dictionary[pos] = _value;
                    }
                }
            }
        });
    }

    [Benchmark]
    public int Lookup()
    {
        int found = 0;
        Parallel.For(0, Threads, t =>
        {
            int mine = 0;
            for (int i = 0; i < KeysPerThread; i++)
            {
                var pos = new Bpos((ulong)t + 1, KeysPerThread + (ulong)i);
                if (_fs is { } fs)
                {
                    using var tx = fs.KeyValues.Begin();
                    mine += tx.TryGet(BtreeId.Xattrs, pos, out _) ? 1 : 0;
                }
                else
                {
                    lock (_lock)
                    {
                        mine += _dictionary.ContainsKey(pos) ? 1 : 0;
                    }
                }
            }

            Interlocked.Add(ref found, mine);
        });
        return found;
    }
}
