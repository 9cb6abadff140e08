using System.Buffers;
using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Devices;

/// <summary>
/// Native memory aligned to <see cref="Alignment"/> bytes (what O_DIRECT needs), exposed as
/// <see cref="Memory{T}"/>. Owned by one user at a time: rented from an <see cref="AlignedBufferPool"/>
/// or created and disposed directly. No finalizer (CA2015: a span over the memory could outlive
/// it): a buffer that is never disposed leaks its native memory.
/// </summary>
public sealed unsafe class AlignedBuffer : MemoryManager<byte>
{
    /// <summary>The alignment of every buffer: a page, which satisfies any logical block size up to 4 KiB.</summary>
    public const int Alignment = 4096;

    private byte* _pointer;
    private readonly int _length;

    /// <summary>Allocates <paramref name="length"/> bytes of zeroed, aligned native memory.</summary>
    /// <param name="length">The size in bytes; at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is less than 1.</exception>
    public AlignedBuffer(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        _length = length;
        _pointer = (byte*)NativeMemory.AlignedAlloc((nuint)length, Alignment);
        NativeMemory.Clear(_pointer, (nuint)length);
    }

    /// <summary>The size in bytes.</summary>
    public int Length => _length;

    /// <summary>Whether <paramref name="memory"/> starts at an address aligned to <paramref name="alignment"/>.</summary>
    /// <remarks>Pins the memory for the check only; callers that need the address to stay put keep their own pin.</remarks>
    public static bool IsAligned(ReadOnlyMemory<byte> memory, int alignment)
    {
        using MemoryHandle handle = memory.Pin();
        return ((nuint)handle.Pointer & (nuint)(alignment - 1)) == 0;
    }

    /// <inheritdoc />
    public override Span<byte> GetSpan()
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        return new Span<byte>(_pointer, _length);
    }

    /// <inheritdoc />
    public override MemoryHandle Pin(int elementIndex = 0)
    {
        ObjectDisposedException.ThrowIf(_pointer == null, this);
        ArgumentOutOfRangeException.ThrowIfNegative(elementIndex);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(elementIndex, _length);
        return new MemoryHandle(_pointer + elementIndex); // native memory never moves
    }

    /// <inheritdoc />
    public override void Unpin()
    {
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (_pointer != null)
        {
            NativeMemory.AlignedFree(_pointer);
            _pointer = null;
        }
    }
}
