using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Primitives.Diagnostics;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// Counts SixLock contention (a caller that had to wait) per lock name and lock type, from the
/// library's <c>Primitives-SixLock</c> event source, for the engine's statistics. The listener is
/// process-wide: counts include every SixLock of the process while it is enabled (the demo and the
/// tests run one filesystem at a time, and the engine names its locks "btree-node-...").
/// </summary>
/// <remarks>Thread-safe. Dispose to stop listening.</remarks>
public sealed class SixLockContentionMonitor : EventListener
{
    private readonly ConcurrentDictionary<(string Lock, int Type), Counts> _counts = new();
    private volatile bool _enabled;

    /// <summary>Starts listening.</summary>
    public SixLockContentionMonitor()
    {
        _enabled = true;
        EnableEvents(SixLockEvents.Log, EventLevel.Informational);
    }

    /// <summary>Contention events so far, by (lock name, type 0 read / 1 intent / 2 write).</summary>
    public IReadOnlyDictionary<(string Lock, int Type), (long Waits, double TotalWaitMicroseconds)> Snapshot()
        => _counts.ToDictionary(e => e.Key, e => (Volatile.Read(ref e.Value.Waits), e.Value.TotalMicroseconds));

    /// <summary>Total contended acquisitions seen.</summary>
    public long TotalWaits => _counts.Values.Sum(c => Volatile.Read(ref c.Waits));

    /// <inheritdoc />
    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        base.OnEventSourceCreated(eventSource);
        if (_enabled && eventSource.Name == "Primitives-SixLock")
        {
            EnableEvents(eventSource, EventLevel.Informational);
        }
    }

    /// <inheritdoc />
    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        if (eventData.EventId != 2 || eventData.Payload is not { Count: >= 3 } payload)
        {
            return;
        }

        string name = payload[0] as string ?? string.Empty;
        int type = payload[1] is int t ? t : -1;
        double micros = payload[2] is double d ? d : 0;
        var counts = _counts.GetOrAdd((Prefix(name), type), _ => new Counts());
        Interlocked.Increment(ref counts.Waits);
        lock (counts)
        {
            counts.TotalMicroseconds += micros;
        }
    }

    /// <inheritdoc />
    public override void Dispose()
    {
        _enabled = false;
        base.Dispose();
        GC.SuppressFinalize(this);
    }

    // Node locks are named per node; group them by the part before the first '#'.
    private static string Prefix(string name)
    {
        int hash = name.IndexOf('#', StringComparison.Ordinal);
        return hash < 0 ? name : name[..hash];
    }

    private sealed class Counts
    {
        public long Waits;
        public double TotalMicroseconds;
    }
}
