namespace ContentionTrace;

/// <summary>What the workload did: its own, exact, expectations for the trace.</summary>
internal sealed record WorkloadResult(
    int ProcessId,
    int Iterations,
    int HoldMilliseconds,
    IReadOnlyList<ExpectedClass> SixLockClasses,
    ExpectedMonitor Monitor,
    MixedPhase Mixed);

/// <summary>
/// A deterministic SixLock phase: exactly <paramref name="Contentions"/> waits of type
/// <paramref name="Type"/> (0 read, 1 intent, 2 write), each handed over, each no shorter than
/// <paramref name="MinHoldMicroseconds"/> (the shortest time the holder kept the lock after it saw the waiter queued).
/// </summary>
internal sealed record ExpectedClass(string LockClass, int Type, bool Async, int Contentions, int HandedOver, double MinHoldMicroseconds);

/// <summary>
/// The Monitor phase: <paramref name="Contentions"/> forced waits on one object (the holder waited for
/// <see cref="Monitor.LockContentionCount"/> to move before holding on), and how far
/// <see cref="Monitor.LockContentionCount"/> moved over the whole phase.
/// </summary>
internal sealed record ExpectedMonitor(int Contentions, double MinHoldMicroseconds, long LockContentionCountDelta);

/// <summary>The non-deterministic phase: threads hammering one lock class; its contention count is whatever happened.</summary>
internal sealed record MixedPhase(string LockClass, int Threads, int OperationsPerThread);
