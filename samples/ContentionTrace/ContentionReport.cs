using System.Globalization;
using System.Text;
using System.Text.Json;

using Primitives.Statistics;

namespace ContentionTrace;

/// <summary>One SixLock lock class: starts seen, stops by type and outcome, and the waits.</summary>
internal sealed record SixLockClassReport(
    string LockClass,
    int Starts,
    int Read,
    int Intent,
    int Write,
    int HandedOver,
    int Barged,
    int NotAcquired,
    WaitSummary Waits,
    IReadOnlyList<CallSite> TopCallSites)
{
    public long Contentions => Waits.Count;
}

/// <summary>The runtime's Monitor (and System.Threading.Lock) contention: managed ContentionStart/Stop events.</summary>
internal sealed record MonitorReport(int Starts, WaitSummary Waits, IReadOnlyList<CallSite> TopCallSites)
{
    public long Contentions => Waits.Count;
}

/// <summary>The report: per lock class, the runtime's numbers beside them, and the workload's own account when it ran one.</summary>
internal sealed class ContentionReport
{
    public int ProcessId { get; init; }

    public string Mode { get; init; } = "";

    public double TracedSeconds { get; init; }

    public IReadOnlyList<SixLockClassReport> SixLock { get; init; } = [];

    public MonitorReport Monitor { get; init; } = new(0, new WaitSummary(0, 0, 0, 0, 0, 0, 0), []);

    public bool CallSitesResolved { get; init; }

    public string CallSitesNote { get; init; } = "";

    public WorkloadResult? Expected { get; init; }

    public string ToJson() => JsonSerializer.Serialize(this, JsonDefaults.Indented);

    public static ContentionReport FromJson(string json) =>
        JsonSerializer.Deserialize<ContentionReport>(json, JsonDefaults.Options) ?? throw new JsonException("empty report");

    public string ToText()
    {
        var t = new StringBuilder();
        t.Append(CultureInfo.InvariantCulture, $"Contention trace of pid {ProcessId} ({Mode}), {TracedSeconds:F1} s traced").AppendLine().AppendLine();
        t.AppendLine("SixLock contention by lock class (Primitives-SixLock events; percentiles from TimeStats, within 1/32):");
        t.AppendLine(Row("class", "waits", "r/i/w", "handoff", "barge", "failed", "total", "min", "p50", "p90", "p99", "max"));
        foreach (var c in SixLock)
        {
            t.AppendLine(Row(c.LockClass, N(c.Contentions), $"{c.Read}/{c.Intent}/{c.Write}", N(c.HandedOver), N(c.Barged), N(c.NotAcquired),
                D(c.Waits.TotalMicroseconds), D(c.Waits.MinMicroseconds), D(c.Waits.P50Microseconds), D(c.Waits.P90Microseconds), D(c.Waits.P99Microseconds), D(c.Waits.MaxMicroseconds)));
        }

        if (SixLock.Count == 0)
        {
            t.AppendLine("  (no SixLock contention)");
        }

        t.AppendLine().AppendLine("Runtime Monitor/Lock contention, same run (Microsoft-Windows-DotNETRuntime, Contention keyword, DurationNs):");
        var m = Monitor.Waits;
        t.AppendLine(Row("monitor", "waits", "", "", "", "", "total", "min", "p50", "p90", "p99", "max"));
        t.AppendLine(Row("(all objects)", N(Monitor.Contentions), "", "", "", "", D(m.TotalMicroseconds), D(m.MinMicroseconds), D(m.P50Microseconds), D(m.P90Microseconds), D(m.P99Microseconds), D(m.MaxMicroseconds)));

        t.AppendLine().Append("Top waiting call sites: ").AppendLine(CallSitesNote);
        foreach (var c in SixLock.Where(c => c.TopCallSites.Count != 0))
        {
            foreach (var s in c.TopCallSites)
            {
                t.Append(CultureInfo.InvariantCulture, $"  {c.LockClass,-14} {s.Count,6}  {s.Method}").AppendLine();
            }
        }

        foreach (var s in Monitor.TopCallSites)
        {
            t.Append(CultureInfo.InvariantCulture, $"  {"monitor",-14} {s.Count,6}  {s.Method}").AppendLine();
        }

        if (Expected is { } e)
        {
            t.AppendLine().AppendLine("The workload's own account (deterministic phases):");
            foreach (var c in e.SixLockClasses)
            {
                var seen = SixLock.FirstOrDefault(r => r.LockClass == c.LockClass);
                t.Append(CultureInfo.InvariantCulture,
                    $"  {c.LockClass,-14} expected {c.Contentions} {(c.Async ? "async " : "")}{TypeName(c.Type)} waits, each >= {D(c.MinHoldMicroseconds)}; traced {seen?.Contentions ?? 0}, shortest {D(seen?.Waits.MinMicroseconds ?? 0)}").AppendLine();
            }

            t.Append(CultureInfo.InvariantCulture,
                $"  {"monitor",-14} forced {e.Monitor.Contentions} waits (Monitor.LockContentionCount moved {e.Monitor.LockContentionCountDelta}); traced {Monitor.Contentions} runtime contentions in the whole run").AppendLine();
            t.Append(CultureInfo.InvariantCulture, $"  {e.Mixed.LockClass,-14} {e.Mixed.Threads} threads x {e.Mixed.OperationsPerThread} mixed operations (not deterministic)").AppendLine();
        }

        return t.ToString();
    }

    private static string TypeName(int type) => type switch { 0 => "read", 1 => "intent", _ => "write" };

    private static string Row(string name, string waits, string types, string handoff, string barge, string failed, string total, string min, string p50, string p90, string p99, string max) =>
        $"  {name,-14} {waits,6} {types,-12} {handoff,7} {barge,6} {failed,6} {total,10} {min,9} {p50,9} {p90,9} {p99,9} {max,9}";

    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);

    private static string D(double microseconds) => TimeStatsSnapshot.FormatDuration((long)Math.Round(microseconds * 1000));
}
