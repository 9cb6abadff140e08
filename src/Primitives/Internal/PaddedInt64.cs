using System.Runtime.InteropServices;

namespace Primitives.Internal;

/// <summary>
/// A 64-bit value alone on its own <see cref="PerCpu.SlotSize"/>-byte slot, so that arrays of
/// them give each processor a cache line no other processor writes.
/// </summary>
/// <remarks>
/// The value sits in the middle of the slot: the array's length field and object header come
/// before element 0, and the padding on both sides keeps them (and the neighbours) off this line.
/// Access it only through <see cref="Interlocked"/> or <see cref="Volatile"/> on <see cref="Value"/>.
/// </remarks>
[StructLayout(LayoutKind.Explicit, Size = PerCpu.SlotSize)]
internal struct PaddedInt64
{
    /// <summary>The slot's value.</summary>
    [FieldOffset(PerCpu.SlotSize / 2)]
    public long Value;
}
