using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Etlx;

namespace ContentionTrace;

/// <summary>A waiting call site: the first frame of a contention start's stack outside the lock's own code.</summary>
internal sealed record CallSite(string Method, int Count);

/// <summary>
/// Call sites from the stacks EventPipe records with each event: the trace is converted to a
/// <see cref="TraceLog"/>, which maps code addresses to methods with the rundown's method events
/// (JIT-compiled code only; no symbol files are read, so there are no line numbers).
/// </summary>
internal sealed record CallSites(bool Resolved, string Note, IReadOnlyDictionary<string, IReadOnlyList<CallSite>> SixLock, IReadOnlyList<CallSite> Monitor)
{
    private const int Top = 5;

    public static CallSites Resolve(string nettrace)
    {
        string etlx = Path.ChangeExtension(nettrace, ".etlx");
        try
        {
            TraceLog.CreateFromEventPipeDataFile(nettrace, etlx);
            using var log = new TraceLog(etlx);
            var sixLock = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
            var monitor = new Dictionary<string, int>(StringComparer.Ordinal);
            int stacks = 0;
            int resolved = 0;
            foreach (TraceEvent e in log.Events)
            {
                bool ours = e.ProviderName == Tracer.SixLockProvider && (int)e.ID == 1;
                bool runtime = e.ProviderName == Tracer.RuntimeProvider && e.EventName.StartsWith("Contention/Start", StringComparison.Ordinal);
                if (!ours && !runtime)
                {
                    continue;
                }

                var stack = e.CallStack();
                if (stack is null)
                {
                    continue;
                }

                stacks++;
                string? site = FirstCallerFrame(stack, skipLockCode: ours);
                if (site is null)
                {
                    continue;
                }

                resolved++;
                var counts = ours
                    ? GetOrAdd(sixLock, (string)e.PayloadByName("lockClass"))
                    : monitor;
                counts[site] = counts.GetValueOrDefault(site) + 1;
            }

            string note = stacks == 0
                ? "no stacks in the trace"
                : $"{resolved} of {stacks} contention stacks resolved to a caller (method names from the rundown; no line numbers)";
            return new CallSites(
                resolved > 0,
                note,
                sixLock.ToDictionary(kv => kv.Key, kv => TopOf(kv.Value), StringComparer.Ordinal),
                TopOf(monitor));
        }
#pragma warning disable CA1031 // stacks are a best effort: the numbers stand without them, and the report says why they are missing
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new CallSites(false, $"call sites unavailable: {ex.GetType().Name}: {ex.Message}", new Dictionary<string, IReadOnlyList<CallSite>>(), []);
        }
        finally
        {
            File.Delete(etlx);
        }
    }

    /// <summary>
    /// The first frame that is not the event plumbing or the runtime's waiting code, nor (for
    /// SixLock events) the six lock's own code. Runtime contention keeps the six lock's frames: its
    /// internal wait-list lock is a Monitor, and that is worth seeing.
    /// </summary>
    private static string? FirstCallerFrame(TraceCallStack? stack, bool skipLockCode)
    {
        for (var frame = stack; frame is not null; frame = frame.Caller)
        {
            string name = frame.CodeAddress.FullMethodName;
            if (string.IsNullOrEmpty(name) || IsPlumbing(name) || (skipLockCode && name.StartsWith("Primitives.Locking.", StringComparison.Ordinal)))
            {
                continue;
            }

            return name;
        }

        return null;
    }

    private static bool IsPlumbing(string method) =>
        method.StartsWith("Primitives.Diagnostics.", StringComparison.Ordinal)
        || method.StartsWith("System.Diagnostics.Tracing.", StringComparison.Ordinal)
        || method.StartsWith("System.Threading.Monitor", StringComparison.Ordinal)
        || method.StartsWith("System.Threading.Lock", StringComparison.Ordinal)
        || method.StartsWith("System.Runtime.CompilerServices.", StringComparison.Ordinal)
        || method.StartsWith("System.Threading.Tasks.", StringComparison.Ordinal)
        || method.StartsWith("System.Threading.ExecutionContext", StringComparison.Ordinal);

    private static Dictionary<string, int> GetOrAdd(Dictionary<string, Dictionary<string, int>> d, string key)
    {
        if (!d.TryGetValue(key, out var v))
        {
            d[key] = v = new Dictionary<string, int>(StringComparer.Ordinal);
        }

        return v;
    }

    private static IReadOnlyList<CallSite> TopOf(Dictionary<string, int> counts) =>
        [.. counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(Top).Select(kv => new CallSite(kv.Key, kv.Value))];
}
