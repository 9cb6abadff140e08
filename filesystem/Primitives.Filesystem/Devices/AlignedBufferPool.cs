using System.Collections.Concurrent;
using System.Numerics;

namespace Primitives.Filesystem.Devices;

/// <summary>
/// A pool of <see cref="AlignedBuffer"/>s in power-of-two size classes from 4 KiB to
/// <see cref="MaxBufferSize"/>: the bounce buffers of an O_DIRECT device. A request larger than
/// the largest class is split by the caller into <see cref="MaxBufferSize"/> chunks.
/// </summary>
/// <remarks>Thread-safe. Keeps at most <see cref="MaxPooledPerClass"/> idle buffers per class; the rest are freed on return.</remarks>
public sealed class AlignedBufferPool : IDisposable
{
    /// <summary>The largest buffer handed out: 1 MiB keeps the pool small yet makes bounced large I/O efficient.</summary>
    public const int MaxBufferSize = 1 << 20;

    /// <summary>Idle buffers kept per size class: enough for a burst of unaligned I/O, bounded memory (at most ~2 MiB per class).</summary>
    public const int MaxPooledPerClass = 16;

    private const int MinShift = 12; // 4 KiB
    private const int MaxShift = 20; // 1 MiB

    private readonly ConcurrentBag<AlignedBuffer>[] _classes;
    private bool _disposed;

    /// <summary>Creates an empty pool.</summary>
    public AlignedBufferPool()
    {
        _classes = new ConcurrentBag<AlignedBuffer>[MaxShift - MinShift + 1];
        for (int i = 0; i < _classes.Length; i++)
        {
            _classes[i] = new ConcurrentBag<AlignedBuffer>();
        }
    }

    /// <summary>Rents a buffer of at least <paramref name="length"/> bytes (its <see cref="AlignedBuffer.Length"/> is a power of two).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is below 1 or above <see cref="MaxBufferSize"/>.</exception>
    public AlignedBuffer Rent(int length)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxBufferSize);
        int shift = Math.Max(MinShift, 32 - BitOperations.LeadingZeroCount((uint)length - 1));
        return _classes[shift - MinShift].TryTake(out AlignedBuffer? buffer) ? buffer : new AlignedBuffer(1 << shift);
    }

    /// <summary>Gives a rented buffer back; the caller must not use it afterwards.</summary>
    public void Return(AlignedBuffer buffer)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        int shift = BitOperations.Log2((uint)buffer.Length);
        if (Volatile.Read(ref _disposed) || !BitOperations.IsPow2(buffer.Length) || shift < MinShift || shift > MaxShift)
        {
            ((IDisposable)buffer).Dispose();
            return;
        }

        ConcurrentBag<AlignedBuffer> bag = _classes[shift - MinShift];
        if (bag.Count >= MaxPooledPerClass)
        {
            ((IDisposable)buffer).Dispose();
            return;
        }

        bag.Add(buffer);
    }

    /// <summary>Frees every idle buffer; buffers still rented are freed when returned.</summary>
    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        foreach (ConcurrentBag<AlignedBuffer> bag in _classes)
        {
            while (bag.TryTake(out AlignedBuffer? buffer))
            {
                ((IDisposable)buffer).Dispose();
            }
        }
    }
}
