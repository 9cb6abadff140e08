using System.Diagnostics;
using Primitives.Statistics;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// What a mounted filesystem measures: commit and flush latency (as <see cref="TimeStats"/>, and as
/// exact-rank histograms for p99), throughput counters, and the journal's and btree's own numbers
/// reported through <see cref="MountedFilesystem.Statistics"/>.
/// </summary>
/// <remarks>Thread-safe: counters are interlocked, TimeStats and histograms are concurrent recorders.</remarks>
public sealed class EngineStatistics
{
    private long _commits;
    private long _keysCommitted;
    private long _dataWrites;
    private long _dataBytesWritten;
    private long _dataBytesRead;
    private long _flushes;

    internal EngineStatistics()
    {
        Started = Stopwatch.GetTimestamp();
    }

    /// <summary>Transaction commit latency (reservation, journal copy, btree update).</summary>
    public TimeStats CommitTime { get; } = new("engine.commit");

    /// <summary>Flush (fsync) latency: from the call until the journal entry is durable.</summary>
    public TimeStats FlushTime { get; } = new("engine.flush");

    /// <summary>User data write latency.</summary>
    public TimeStats DataWriteTime { get; } = new("engine.data_write");

    /// <summary>Transactions committed with at least one update.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Key updates (sets and deletes) committed.</summary>
    public long KeysCommitted => Interlocked.Read(ref _keysCommitted);

    /// <summary>User data writes.</summary>
    public long DataWrites => Interlocked.Read(ref _dataWrites);

    /// <summary>User data bytes written.</summary>
    public long DataBytesWritten => Interlocked.Read(ref _dataBytesWritten);

    /// <summary>User data bytes read.</summary>
    public long DataBytesRead => Interlocked.Read(ref _dataBytesRead);

    /// <summary>Flush calls completed.</summary>
    public long Flushes => Interlocked.Read(ref _flushes);

    /// <summary>When the statistics started (a <see cref="Stopwatch"/> timestamp).</summary>
    public long Started { get; }

    internal void CommitDone(long start, int keys)
    {
        long end = Stopwatch.GetTimestamp();
        CommitTime.Record(start, end);
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _keysCommitted, keys);
    }

    internal void FlushDone(long start)
    {
        long end = Stopwatch.GetTimestamp();
        FlushTime.Record(start, end);
        Interlocked.Increment(ref _flushes);
    }

    internal void DataWriteDone(long start, int bytes)
    {
        DataWriteTime.Record(start, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _dataWrites);
        Interlocked.Add(ref _dataBytesWritten, bytes);
    }

    internal void DataReadDone(int bytes) => Interlocked.Add(ref _dataBytesRead, bytes);
}
