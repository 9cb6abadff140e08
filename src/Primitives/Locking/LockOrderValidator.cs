namespace Primitives.Locking;

/// <summary>
/// An optional lock-order validator (after the kernel's lockdep) for named <see cref="SixLock"/>s:
/// every name is a lock class; the validator remembers, per thread, which classes are held, learns
/// "class B taken while holding class A" edges, and throws <see cref="SixLockException"/> when a
/// blocking acquisition would take them in the opposite order (a potential deadlock), before it waits.
/// </summary>
/// <remarks>
/// <para>Off by default and free when off: the switch is read once into a <c>static readonly</c>
/// field that every hook checks first, so the JIT drops the hooks. Turn it on with the
/// <c>AppContext</c> switch <c>Primitives.Locking.ValidateLockOrder</c> (runtimeconfig or
/// <c>AppContext.SetSwitch</c> before the first lock is taken).</para>
/// <para>Only named locks take part; unnamed locks are ignored. Nesting locks of the same class is
/// exempt (tree nodes of one level are usually locked in key order, which lockdep cannot see).
/// Trylocks never wait, so they record holds but never add edges or fail. Only synchronous
/// acquisitions are tracked: asynchronous holders are not tied to a thread.</para>
/// <para>Thread-safe: held classes are per thread; the learned edges are guarded by a monitor.</para>
/// </remarks>
public static class LockOrderValidator
{
    /// <summary>The <c>AppContext</c> switch that enables validation.</summary>
    public const string SwitchName = "Primitives.Locking.ValidateLockOrder";

    internal static readonly bool s_enabled = AppContext.TryGetSwitch(SwitchName, out bool on) && on;

    private static readonly object s_gate = new();

    /// <summary>Learned edges: key class was held while each class in the value was taken.</summary>
    private static readonly Dictionary<string, HashSet<string>> s_after = new(StringComparer.Ordinal);

    [ThreadStatic]
    private static List<(SixLock Lock, SixLockType Type)>? t_held;

    /// <summary>Whether validation is on for this process.</summary>
    public static bool IsEnabled => s_enabled;

    /// <summary>Whether the calling thread holds (synchronously) any lock of class <paramref name="lockClass"/>.</summary>
    /// <param name="lockClass">A lock name.</param>
    /// <returns><see langword="true"/> if a lock of that class is held; always <see langword="false"/> when validation is off.</returns>
    public static bool IsClassHeld(string lockClass)
    {
        ArgumentNullException.ThrowIfNull(lockClass);
        var held = t_held;
        if (held is null)
        {
            return false;
        }

        foreach (var (lk, _) in held)
        {
            if (string.Equals(lk.Name, lockClass, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Forgets every learned edge (for tests).</summary>
    public static void Reset()
    {
        lock (s_gate)
        {
            s_after.Clear();
        }
    }

    /// <summary>Before a blocking acquisition: fails if it contradicts a learned order, else learns the new edges.</summary>
    internal static void BeforeBlockingAcquire(SixLock lk)
    {
        string? cls = lk.Name;
        var held = t_held;
        if (cls is null || held is null || held.Count == 0)
        {
            return;
        }

        lock (s_gate)
        {
            foreach (var (other, _) in held)
            {
                string? heldClass = other.Name;
                if (heldClass is null || string.Equals(heldClass, cls, StringComparison.Ordinal))
                {
                    continue;
                }

                if (s_after.TryGetValue(cls, out var afterCls) && afterCls.Contains(heldClass))
                {
                    throw new SixLockException(
                        $"Lock order violation: taking '{cls}' while holding '{heldClass}', but '{heldClass}' was taken while holding '{cls}' before (potential deadlock).");
                }
            }

            foreach (var (other, _) in held)
            {
                string? heldClass = other.Name;
                if (heldClass is not null && !string.Equals(heldClass, cls, StringComparison.Ordinal))
                {
                    if (!s_after.TryGetValue(heldClass, out var set))
                    {
                        s_after[heldClass] = set = new HashSet<string>(StringComparer.Ordinal);
                    }

                    set.Add(cls);
                }
            }
        }
    }

    internal static void OnAcquired(SixLock lk, SixLockType type)
    {
        if (lk.Name is not null)
        {
            (t_held ??= []).Add((lk, type));
        }
    }

    internal static void OnReleased(SixLock lk, SixLockType type)
    {
        var held = t_held;
        if (held is null || lk.Name is null)
        {
            return;
        }

        for (int i = held.Count - 1; i >= 0; i--)
        {
            if (ReferenceEquals(held[i].Lock, lk) && held[i].Type == type)
            {
                held.RemoveAt(i);
                return;
            }
        }
    }
}
