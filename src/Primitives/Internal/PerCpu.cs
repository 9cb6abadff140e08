using System.Runtime.CompilerServices;

using System.Numerics;

namespace Primitives.Internal;

/// <summary>
/// Processor-indexed slot selection shared by every per-CPU structure of the library (striped
/// counters, reservation caches, per-CPU reader counts, time-stats buffers).
/// </summary>
/// <remarks>
/// <see cref="Thread.GetCurrentProcessorId"/> is cheap (a few ns: on Linux x64 the runtime calls the
/// vDSO's <c>sched_getcpu</c>; where that is slow it caches the id per thread and refreshes it
/// periodically) but it is only a hint either way: the thread can be moved to another processor
/// right after reading it. Every user of these slots therefore treats the slot as a
/// contention-spreading hint only and stays correct when two threads share one, with atomic
/// operations on the slot rather than plain stores.
/// </remarks>
internal static class PerCpu
{
    /// <summary>
    /// Bytes between two slots. 128 rather than 64: x64 prefetches adjacent line pairs, and
    /// Arm64 server parts have 128-byte lines (the runtime pads to 128 on Arm64 for the same
    /// reason).
    /// </summary>
    public const int SlotSize = 128;

#if PRIMITIVES_MUTANTS
    // The bug zoo's build: at least two slots, and a per-async-flow override, so a systematic test
    // can put two tasks on different slots deterministically (the processor id is not under
    // Coyote's control; the zoo runs with one processor, so without an override every flow gets
    // slot 0, as in the real build on one processor).
    private static readonly int s_naturalSlotCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));

    /// <summary>Number of slots a per-CPU structure allocates (mutant build: at least 2).</summary>
    public static readonly int SlotCount = Math.Max(2, s_naturalSlotCount);

    /// <summary>The slot the current async flow uses instead of its processor's (mutant build only).</summary>
    public static readonly AsyncLocal<int?> SlotOverride = new();

    /// <summary>The slot the calling thread should use, in <c>[0, SlotCount)</c>.</summary>
    public static int CurrentSlot() =>
        SlotOverride.Value is int slot ? slot & (SlotCount - 1) : Thread.GetCurrentProcessorId() & (s_naturalSlotCount - 1);
#else
    /// <summary>Number of slots a per-CPU structure allocates: the processor count rounded up to a power of two.</summary>
    public static readonly int SlotCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));

    /// <summary>The slot the calling thread should use, in <c>[0, SlotCount)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CurrentSlot() => Thread.GetCurrentProcessorId() & (SlotCount - 1);
#endif
}
