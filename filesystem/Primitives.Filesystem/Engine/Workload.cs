using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Engine;

/// <summary>The shape of a <see cref="Workload"/> run.</summary>
internal sealed record WorkloadOptions
{
    public int Threads { get; init; } = 4;

    public int TransactionsPerThread { get; init; } = 500;

    public int KeysPerTransaction { get; init; } = 4;

    /// <summary>Distinct keys per thread (updates wrap around, so keys get overwritten).</summary>
    public int KeySpacePerThread { get; init; } = 256;

    /// <summary>Every n-th transaction also writes a data extent (0: never).</summary>
    public int DataEvery { get; init; } = 4;

    public int DataSize { get; init; } = 8192;

    /// <summary>Every n-th transaction deletes one of its keys instead of setting it (0: never).</summary>
    public int DeleteEvery { get; init; } = 7;

    /// <summary>Every n-th transaction of a thread is followed by a flush (fsync) (0: never).</summary>
    public int FlushEvery { get; init; } = 8;

    public int ValueSize { get; init; } = 64;

    public int Seed { get; init; } = 1;

    /// <summary>
    /// Read right after each flush returns and stored with the versions it acknowledged (the crash
    /// test passes the recording device's flush count: a crash state at that epoch or later must
    /// hold them). Null: not recorded.
    /// </summary>
    public Func<int>? DurabilityStamp { get; init; }

    /// <summary>Runs with different key sets use different values (keys live at inode <see cref="Workload.InodeBase"/> + KeySet * 4096 + thread).</summary>
    public int KeySet { get; init; }
}

/// <summary>What a <see cref="Workload"/> run did.</summary>
internal sealed record WorkloadResult(long Commits, long KeysWritten, long DataBytes, long Flushes, TimeSpan Elapsed, IReadOnlyDictionary<(BtreeId Btree, Bpos Pos), long> Durable)
{
    /// <summary>Every acknowledgement with its <see cref="WorkloadOptions.DurabilityStamp"/> (when one was given), in no particular order.</summary>
    public IReadOnlyList<(BtreeId Btree, Bpos Pos, long Version, int Stamp)> Acknowledgements { get; init; } = [];

    /// <summary>Per key, the newest delete committed (acknowledged or not): a key acknowledged at an older version may be gone.</summary>
    public IReadOnlyDictionary<(BtreeId Btree, Bpos Pos), long> Deletes { get; init; } = new Dictionary<(BtreeId, Bpos), long>();
}

/// <summary>
/// A concurrent key/value + extent workload over the engine's two interfaces: several threads,
/// each on its own keys, commit transactions (small values in the Xattrs btree, data extents in
/// the Extents btree pointing at data written through <see cref="IDataStore"/>), delete some keys,
/// and fsync now and then. After each flush returns, the thread records the versions it committed
/// up to then as acknowledged durable: a crash image must hold, for every such key, that version
/// or a newer one (or, for a delete, no key or a newer version). Every value carries its own
/// checksum (and an extent value the checksum of its data), so a torn or stale value is detected.
/// </summary>
/// <remarks>
/// Value layout (Xattrs): version u64, thread u32, payload, crc32c u32 of everything before it.
/// Extent value: <see cref="ExtentValue"/> (20 bytes), version u64, data crc32c u32, crc32c u32 of the 32 bytes before it.
/// Key space: inode = <see cref="InodeBase"/> + key set * 4096 + thread, offset = key index.
/// </remarks>
internal sealed class Workload
{
    /// <summary>Inode numbers of workload keys start here (far from anything a POSIX layer creates).</summary>
    public const ulong InodeBase = 1UL << 40;

    private readonly WorkloadOptions _options;

    public Workload(WorkloadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ValueSize, 16);
        _options = options;
    }

    /// <summary>Runs the workload; the result lists every version acknowledged durable (flush returned after its commit).</summary>
    public async Task<WorkloadResult> RunAsync(IKeyValueStore store, IDataStore data, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(data);
        var durable = new ConcurrentDictionary<(BtreeId, Bpos), long>();
        var deletes = new ConcurrentDictionary<(BtreeId, Bpos), long>();
        var acks = new ConcurrentBag<(BtreeId, Bpos, long, int)>();
        long commits = 0, keys = 0, bytes = 0, flushes = 0;
        var sw = Stopwatch.StartNew();
        var tasks = new Task[_options.Threads];
        for (int t = 0; t < _options.Threads; t++)
        {
            int thread = t;
            tasks[t] = Task.Run(
                async () =>
                {
                    var r = await RunThreadAsync(thread, store, data, durable, deletes, acks, cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref commits, r.Commits);
                    Interlocked.Add(ref keys, r.Keys);
                    Interlocked.Add(ref bytes, r.Bytes);
                    Interlocked.Add(ref flushes, r.Flushes);
                },
                cancellationToken);
        }

        await Task.WhenAll(tasks).ConfigureAwait(false);
        return new WorkloadResult(commits, keys, bytes, flushes, sw.Elapsed, new Dictionary<(BtreeId, Bpos), long>(durable)) { Deletes = new Dictionary<(BtreeId, Bpos), long>(deletes), Acknowledgements = acks.ToArray() };
    }

    private async Task<(long Commits, long Keys, long Bytes, long Flushes)> RunThreadAsync(
        int thread, IKeyValueStore store, IDataStore data, ConcurrentDictionary<(BtreeId, Bpos), long> durable, ConcurrentDictionary<(BtreeId, Bpos), long> deletes, ConcurrentBag<(BtreeId, Bpos, long, int)> acks, CancellationToken cancellationToken)
    {
        var random = new Random(HashCode.Combine(_options.Seed, thread));
        ulong inode = InodeOf(_options.KeySet, thread);
        var committed = new Dictionary<(BtreeId, Bpos), long>(); // committed since the last flush (version, negative = deleted)
        var extents = new Dictionary<ulong, DataPointer>();
        long version = 0, commits = 0, keysWritten = 0, bytes = 0, flushes = 0;
        byte[] value = new byte[_options.ValueSize];
        byte[] payload = new byte[_options.DataSize];
        for (int n = 1; n <= _options.TransactionsPerThread; n++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            DataPointer? newData = null;
            ulong extentKey = 0;
            if (_options.DataEvery > 0 && n % _options.DataEvery == 0)
            {
                version++;
                extentKey = (ulong)random.Next(_options.KeySpacePerThread);
                FillData(payload, thread, version);
                newData = await data.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                bytes += payload.Length;
            }

            var pending = new List<((BtreeId, Bpos) Key, long Version)>();
            DataPointer? oldData = null;
            using (var tx = store.Begin())
            {
                for (int k = 0; k < _options.KeysPerTransaction; k++)
                {
                    version++;
                    var pos = new Bpos(inode, (ulong)random.Next(_options.KeySpacePerThread));
                    if (_options.DeleteEvery > 0 && n % _options.DeleteEvery == 0 && k == 0)
                    {
                        tx.Delete(BtreeId.Xattrs, pos);
                        pending.Add(((BtreeId.Xattrs, pos), -version));
                    }
                    else
                    {
                        EncodeValue(value, thread, version);
                        tx.Set(BtreeId.Xattrs, pos, value);
                        pending.Add(((BtreeId.Xattrs, pos), version));
                    }

                    keysWritten++;
                }

                if (newData is { } pointer)
                {
                    long dataVersion = version - _options.KeysPerTransaction;
                    var pos = new Bpos(inode, extentKey);
                    byte[] extent = EncodeExtent(pointer, dataVersion, Crc32C.Compute(payload));
                    tx.Set(BtreeId.Extents, pos, extent);
                    pending.Add(((BtreeId.Extents, pos), dataVersion));
                    if (extents.TryGetValue(extentKey, out var old))
                    {
                        oldData = old;
                    }

                    extents[extentKey] = pointer;
                    keysWritten++;
                }

                ulong seq = tx.Commit();
                commits++;
                if (oldData is { } released)
                {
                    data.Release(released, seq);
                }
            }

            foreach (var (key, v) in pending)
            {
                committed[key] = v;
                if (v < 0)
                {
                    deletes[key] = -v;
                }
            }

            if (_options.FlushEvery > 0 && n % _options.FlushEvery == 0)
            {
                await store.FlushAsync(0, cancellationToken).ConfigureAwait(false);
                flushes++;
                int stamp = _options.DurabilityStamp?.Invoke() ?? 0;
                foreach (var (key, v) in committed)
                {
                    durable[key] = v;
                    if (_options.DurabilityStamp is not null)
                    {
                        acks.Add((key.Item1, key.Item2, v, stamp));
                    }
                }

                committed.Clear();
            }
        }

        return (commits, keysWritten, bytes, flushes);
    }

    /// <summary>
    /// Checks that every acknowledged key holds its acknowledged version or a newer intact one
    /// (a deleted key: absent, or a newer intact version), reading extents' data back. Returns the
    /// problems found (empty when everything acknowledged survived).
    /// </summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(IKeyValueStore store, IDataStore data, IReadOnlyDictionary<(BtreeId Btree, Bpos Pos), long> durable, CancellationToken cancellationToken = default)
        => await VerifyAsync(store, data, durable, null, cancellationToken).ConfigureAwait(false);

    /// <summary>As above; <paramref name="deletes"/> (per key, the newest committed delete) allows a key to be gone when a delete newer than its acknowledged version was committed.</summary>
    public static async Task<IReadOnlyList<string>> VerifyAsync(IKeyValueStore store, IDataStore data, IReadOnlyDictionary<(BtreeId Btree, Bpos Pos), long> durable, IReadOnlyDictionary<(BtreeId Btree, Bpos Pos), long>? deletes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(durable);
        var problems = new List<string>();
        var reads = new List<(Bpos Pos, long Version, DataPointer Pointer, uint Crc)>();
        using (var tx = store.Begin())
        {
            foreach (var ((btree, pos), acked) in durable)
            {
                bool present = tx.TryGet(btree, pos, out var value);
                long ackedVersion = Math.Abs(acked);
                if (!present)
                {
                    bool deletedLater = deletes is not null && deletes.TryGetValue((btree, pos), out long deletedAt) && deletedAt > acked;
                    if (acked > 0 && !deletedLater)
                    {
                        problems.Add($"{btree} {pos}: acknowledged version {acked} is missing");
                    }

                    continue;
                }

                if (btree == BtreeId.Extents)
                {
                    if (!TryDecodeExtent(value.Span, out var pointer, out long v, out uint dataCrc))
                    {
                        problems.Add($"{btree} {pos}: corrupt extent value ({value.Length} bytes)");
                    }
                    else if (v < ackedVersion || (acked < 0 && v == ackedVersion))
                    {
                        problems.Add($"{btree} {pos}: version {v} older than acknowledged {acked}");
                    }
                    else
                    {
                        reads.Add((pos, v, pointer, dataCrc));
                    }
                }
                else if (!TryDecodeValue(value.Span, out long v2))
                {
                    problems.Add($"{btree} {pos}: corrupt value ({value.Length} bytes)");
                }
                else if (v2 < ackedVersion || (acked < 0 && v2 == ackedVersion))
                {
                    problems.Add($"{btree} {pos}: version {v2} older than acknowledged {acked}");
                }
            }
        }

        foreach (var (pos, v, pointer, crc) in reads)
        {
            byte[] buffer = new byte[pointer.Length];
            try
            {
                await data.ReadAsync(pointer, buffer, cancellationToken).ConfigureAwait(false);
                if (Crc32C.Compute(buffer) != crc)
                {
                    problems.Add($"Extents {pos}: data of version {v} at {pointer} does not match its checksum");
                }
            }
            catch (FilesystemException e)
            {
                problems.Add($"Extents {pos}: data of version {v} at {pointer} unreadable: {e.Message}");
            }
        }

        return problems;
    }

    /// <summary>Counts the workload's keys whose value is corrupt (checks every key of the workload's inodes).</summary>
    public static int CountCorruptValues(IKeyValueStore store, int keySet, int threads)
    {
        int corrupt = 0;
        using var tx = store.Begin();
        for (int t = 0; t < threads; t++)
        {
            ulong inode = InodeOf(keySet, t);
            foreach (var kv in tx.Range(BtreeId.Xattrs, new Bpos(inode, 0), new Bpos(inode, ulong.MaxValue)))
            {
                if (!TryDecodeValue(kv.Value.Span, out _))
                {
                    corrupt++;
                }
            }

            foreach (var kv in tx.Range(BtreeId.Extents, new Bpos(inode, 0), new Bpos(inode, ulong.MaxValue)))
            {
                if (!TryDecodeExtent(kv.Value.Span, out _, out _, out _))
                {
                    corrupt++;
                }
            }
        }

        return corrupt;
    }

    internal static ulong InodeOf(int keySet, int thread) => InodeBase + ((ulong)keySet * 4096) + (ulong)thread;

    internal static void FillData(Span<byte> payload, int thread, long version)
    {
        var random = new Random(HashCode.Combine(thread, version));
        random.NextBytes(payload);
    }

    internal static void EncodeValue(Span<byte> value, int thread, long version)
    {
        BinaryPrimitives.WriteInt64LittleEndian(value, version);
        BinaryPrimitives.WriteInt32LittleEndian(value[8..], thread);
        for (int i = 12; i < value.Length - 4; i++)
        {
            value[i] = (byte)(version + i);
        }

        BinaryPrimitives.WriteUInt32LittleEndian(value[^4..], Crc32C.Compute(value[..^4]));
    }

    internal static bool TryDecodeValue(ReadOnlySpan<byte> value, out long version)
    {
        version = 0;
        if (value.Length < 16 || BinaryPrimitives.ReadUInt32LittleEndian(value[^4..]) != Crc32C.Compute(value[..^4]))
        {
            return false;
        }

        version = BinaryPrimitives.ReadInt64LittleEndian(value);
        return true;
    }

    internal static byte[] EncodeExtent(DataPointer pointer, long version, uint dataCrc)
    {
        byte[] value = new byte[ExtentValue.Size + 16];
        ExtentValue.Write(value, pointer);
        BinaryPrimitives.WriteInt64LittleEndian(value.AsSpan(ExtentValue.Size), version);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(ExtentValue.Size + 8), dataCrc);
        BinaryPrimitives.WriteUInt32LittleEndian(value.AsSpan(ExtentValue.Size + 12), Crc32C.Compute(value.AsSpan(0, ExtentValue.Size + 12)));
        return value;
    }

    internal static bool TryDecodeExtent(ReadOnlySpan<byte> value, out DataPointer pointer, out long version, out uint dataCrc)
    {
        pointer = default;
        version = 0;
        dataCrc = 0;
        if (value.Length != ExtentValue.Size + 16 || BinaryPrimitives.ReadUInt32LittleEndian(value[(ExtentValue.Size + 12)..]) != Crc32C.Compute(value[..(ExtentValue.Size + 12)]))
        {
            return false;
        }

        pointer = ExtentValue.Read(value);
        version = BinaryPrimitives.ReadInt64LittleEndian(value[ExtentValue.Size..]);
        dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(value[(ExtentValue.Size + 8)..]);
        return true;
    }
}
