using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace ContentionTrace;

/// <summary>
/// Reads a .nettrace file: SixLock events through TraceEvent's dynamic parser (our EventSource's
/// manifest travels in the stream), the runtime's ContentionStart/ContentionStop through its CLR
/// parser (the stop carries DurationNs on .NET 8+). A second pass through <see cref="TraceLog"/>
/// resolves the stacks of the start events to method names (from the rundown), for the call sites.
/// </summary>
internal static class TraceAnalyzer
{
    private const int StartId = 1;
    private const int StopId = 2;

    public static ContentionReport Analyze(string path, int pid, string mode, TimeSpan traced, WorkloadResult? expected)
    {
        var classes = new SortedDictionary<string, ClassAccumulator>(StringComparer.Ordinal);
        var monitor = new WaitStats("monitor");
        int monitorStarts = 0;
        long events = 0;
        using (var source = new EventPipeEventSource(path))
        {
            source.Dynamic.All += e =>
            {
                if (e.ProviderName != Tracer.SixLockProvider)
                {
                    return;
                }

                events++;
                string lockClass = (string)e.PayloadByName("lockClass");
                var c = Get(classes, lockClass);
                if ((int)e.ID == StartId)
                {
                    c.Starts++;
                }
                else if ((int)e.ID == StopId)
                {
                    c.Record((int)e.PayloadByName("type"), e.TimeStampRelativeMSec, (double)e.PayloadByName("waitMicroseconds"),
                        (bool)e.PayloadByName("handedOver"), e.PayloadByName("acquired") is not bool acquired || acquired);
                }
            };
            source.Clr.ContentionStart += (ContentionStartTraceData e) =>
            {
                if ((e.ContentionFlags & ContentionFlags.Native) == 0)
                {
                    monitorStarts++;
                }
            };
            source.Clr.ContentionStop += (ContentionStopTraceData e) =>
            {
                if ((e.ContentionFlags & ContentionFlags.Native) == 0)
                {
                    monitor.Record(e.TimeStampRelativeMSec, e.DurationNs / 1000.0);
                }
            };
            source.Process();
        }

        var sites = CallSites.Resolve(path);
        var report = new ContentionReport
        {
            ProcessId = pid,
            Mode = mode,
            TracedSeconds = traced.TotalSeconds,
            SixLock = [.. classes.Select(kv => kv.Value.ToReport(kv.Key, sites.SixLock.GetValueOrDefault(kv.Key) ?? []))],
            Monitor = new MonitorReport(monitorStarts, monitor.Summarize(), sites.Monitor),
            CallSitesResolved = sites.Resolved,
            CallSitesNote = sites.Note,
            Expected = expected,
        };
        return report;
    }

    private static ClassAccumulator Get(SortedDictionary<string, ClassAccumulator> classes, string lockClass)
    {
        if (!classes.TryGetValue(lockClass, out var c))
        {
            classes[lockClass] = c = new ClassAccumulator(lockClass);
        }

        return c;
    }

    private sealed class ClassAccumulator(string lockClass)
    {
        private readonly WaitStats _waits = new(lockClass);
        private readonly int[] _byType = new int[3];

        public int Starts { get; set; }

        public int HandedOver { get; private set; }

        public int Barged { get; private set; }

        public int NotAcquired { get; private set; }

        public void Record(int type, double endMilliseconds, double waitMicroseconds, bool handedOver, bool acquired)
        {
            _byType[Math.Clamp(type, 0, 2)]++;
            _waits.Record(endMilliseconds, waitMicroseconds);
            if (!acquired)
            {
                NotAcquired++;
            }
            else if (handedOver)
            {
                HandedOver++;
            }
            else
            {
                Barged++;
            }
        }

        public SixLockClassReport ToReport(string name, IReadOnlyList<CallSite> sites) =>
            new(name, Starts, _byType[0], _byType[1], _byType[2], HandedOver, Barged, NotAcquired, _waits.Summarize(), sites);
    }
}
