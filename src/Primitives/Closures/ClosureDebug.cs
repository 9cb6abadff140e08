using System.Text;

namespace Primitives.Closures;

/// <summary>
/// The debug registry: every live closure with its creation site, continuation, parent, remaining
/// count and state, a text dump, and a leak check for tests. Off by default; turn it on before the
/// first closure is created with the <see cref="AppContext"/> switch <see cref="SwitchName"/>
/// (e.g. <c>&lt;RuntimeHostConfigurationOption Include="Primitives.Closures.DebugRegistry" Value="true" /&gt;</c>
/// in the project file, or <c>AppContext.SetSwitch</c> at the start of <c>Main</c>).
/// </summary>
/// <remarks>
/// Cost when off: the switch is read once into a <c>static readonly</c> field, which the JIT treats
/// as a constant, so creating and finishing a closure does no registry work. When on, each closure
/// creation and finish takes a global lock: for debugging and tests, not production.
/// Thread safety: every member is safe from any thread; listings are snapshots.
/// </remarks>
public static class ClosureDebug
{
    /// <summary>The <see cref="AppContext"/> switch that turns the registry on.</summary>
    public const string SwitchName = "Primitives.Closures.DebugRegistry";

    private static readonly bool s_enabled = AppContext.TryGetSwitch(SwitchName, out bool on) && on;
    private static readonly object s_gate = new();
    private static readonly Dictionary<long, Entry> s_live = []; // guarded by s_gate
    private static long s_nextId;

    /// <summary>Whether the registry is on (fixed for the life of the process).</summary>
    public static bool IsEnabled => s_enabled;

    /// <summary>A snapshot of every live (created and not finished) closure, oldest first.</summary>
    /// <returns>The live closures; empty when the registry is off.</returns>
    public static IReadOnlyList<ClosureInfo> GetLiveClosures()
    {
        Entry[] entries;
        lock (s_gate)
            entries = [.. s_live.Values];
        Array.Sort(entries, static (a, b) => a.Id.CompareTo(b.Id));
        return [.. entries.Select(static e => e.Snapshot())];
    }

    /// <summary>Every live closure as text, one per line (see <see cref="ClosureInfo.ToString"/>).</summary>
    /// <returns>The dump; says so when the registry is off.</returns>
    public static string Dump()
    {
        if (!s_enabled)
            return $"closure debug registry is off (AppContext switch {SwitchName})";
        var live = GetLiveClosures();
        var text = new StringBuilder().Append(live.Count).Append(" live closure(s)").AppendLine();
        foreach (var info in live)
            text.Append("  ").Append(info).AppendLine();
        return text.ToString();
    }

    /// <summary>The leak check: throws unless no closure created since the registry was on is still live.</summary>
    /// <exception cref="InvalidOperationException">Closures are alive (the message is the <see cref="Dump"/>), or the registry is off (a check that cannot fail would mislead).</exception>
    public static void ThrowIfAnyAlive()
    {
        if (!s_enabled)
            throw new InvalidOperationException($"The closure debug registry is off; set the AppContext switch {SwitchName} to check for leaks.");
        lock (s_gate)
        {
            if (s_live.Count == 0)
                return;
        }
        throw new InvalidOperationException("Closures still alive: " + Dump());
    }

    internal static Entry Register(Closure closure, string member, string file, int line)
    {
        var entry = new Entry(Interlocked.Increment(ref s_nextId), closure, member, file, line);
        lock (s_gate)
            s_live.Add(entry.Id, entry);
        return entry;
    }

    internal static void Unregister(Entry entry)
    {
        lock (s_gate)
            s_live.Remove(entry.Id);
    }

    /// <summary>One closure for an exception message: its id and creation site when the registry is on.</summary>
    internal static string Describe(Closure closure) =>
        closure.DebugEntry is { } e ? $"#{e.Id} created in {e.Member} at {e.File}:{e.Line}" : $"(creation site unknown: registry off, switch {SwitchName})";

    /// <summary>What the registry keeps per closure (owned by the closure; removed when it finishes).</summary>
    internal sealed class Entry(long id, Closure closure, string member, string file, int line)
    {
        public long Id { get; } = id;
        public string Member { get; } = member;
        public string File { get; } = file;
        public int Line { get; } = line;

        public ClosureInfo Snapshot()
        {
            var (state, continuation, executor) = closure.DebugView();
            return new ClosureInfo(Id, Member, File, Line,
                continuation is null ? null : $"{continuation.Method.DeclaringType?.Name}.{continuation.Method.Name}",
                executor?.ToString(), closure.Parent?.DebugEntry?.Id, state & Closure.State.RemainingMask,
                new Closure.State(state).ToString(), new Closure.State(state).IsWaiting);
        }
    }
}
