using System.Runtime.CompilerServices;

using System.Numerics;

namespace Primitives.Internal;

/// <summary>
/// Processor-indexed slot selection shared by every per-CPU structure of the library (striped
/// counters, reservation caches, per-CPU reader counts, time-stats buffers).
/// </summary>
/// <remarks>
/// <see cref="Thread.GetCurrentProcessorId"/> is cached per thread by the runtime and refreshed
/// periodically, so it is cheap (a few ns) but may be stale: a thread can run on another
/// processor than the slot it picked. Every user of these slots therefore treats the slot as a
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

    /// <summary>Number of slots a per-CPU structure allocates: the processor count rounded up to a power of two.</summary>
    public static readonly int SlotCount = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(1, Environment.ProcessorCount));

    /// <summary>The slot the calling thread should use, in <c>[0, SlotCount)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int CurrentSlot() => Thread.GetCurrentProcessorId() & (SlotCount - 1);
}
