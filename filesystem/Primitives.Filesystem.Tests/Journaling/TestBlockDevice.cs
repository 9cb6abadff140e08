using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>
/// A small in-memory block device for the journal tests (private to this folder so the journal's
/// tests do not depend on the storage branch): counts flushes and writes, can hold flushes at a
/// gate, can fail the next write, and keeps the image a crash would leave: everything covered by
/// a completed flush, plus any subset of the writes since (<see cref="CrashImages"/>).
/// </summary>
internal sealed class TestBlockDevice(long size, int logicalBlockSize = 512) : BlockDevice
{
    private readonly byte[] _data = new byte[size];
    private readonly byte[] _durable = new byte[size];
    private readonly List<(long Offset, byte[] Bytes)> _pending = [];
    private readonly object _gateLock = new();
    private TaskCompletionSource? _flushGate;
    private long _flushes;
    private long _writes;

    public override string Name => "test-memory";

    public override long Size => _data.Length;

    public override int LogicalBlockSize => logicalBlockSize;

    public override bool SupportsDiscard => false;

    public byte[] Data => _data;

    public long FlushCount => Interlocked.Read(ref _flushes);

    public long WriteCount => Interlocked.Read(ref _writes);

    /// <summary>When set, the next write fails with an I/O error.</summary>
    public bool FailNextWrite { get; set; }

    /// <summary>Makes flushes wait until <see cref="OpenFlushGate"/>.</summary>
    public void CloseFlushGate()
    {
        lock (_gateLock)
        {
            _flushGate ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void OpenFlushGate()
    {
        TaskCompletionSource? gate;
        lock (_gateLock)
        {
            gate = _flushGate;
            _flushGate = null;
        }

        gate?.SetResult();
    }

    /// <summary>Flushes waiting at the gate now.</summary>
    public int FlushesWaiting => Volatile.Read(ref _waiting);

    private int _waiting;

    public override ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        lock (_data)
        {
            _data.AsSpan((int)offset, buffer.Length).CopyTo(buffer.Span);
        }

        return ValueTask.CompletedTask;
    }

    public override ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        if (FailNextWrite)
        {
            FailNextWrite = false;
            return ValueTask.FromException(new IOException("injected write error"));
        }

        lock (_data)
        {
            buffer.Span.CopyTo(_data.AsSpan((int)offset));
            _pending.Add((offset, buffer.ToArray()));
        }

        Interlocked.Increment(ref _writes);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _flushes);
        int covered;
        lock (_data)
        {
            covered = _pending.Count; // a flush covers the writes completed before it started
        }

        Task? gate;
        lock (_gateLock)
        {
            gate = _flushGate?.Task;
        }

        if (gate is not null)
        {
            Interlocked.Increment(ref _waiting);
            await gate.ConfigureAwait(false);
            Interlocked.Decrement(ref _waiting);
        }

        lock (_data)
        {
            foreach ((long offset, byte[] bytes) in _pending.Take(covered))
            {
                bytes.CopyTo(_durable, offset);
            }

            _pending.RemoveRange(0, covered);
        }
    }

    /// <summary>Writes since the last completed flush (what a crash may lose).</summary>
    public int PendingWrites
    {
        get
        {
            lock (_data)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>
    /// Images a crash now could leave: the durable image plus a subset of the pending writes
    /// (every subset when there are few, else prefixes, single writes and their complements),
    /// and torn variants in which only the first block of one pending write landed.
    /// </summary>
    public IEnumerable<(string Name, byte[] Image)> CrashImages()
    {
        byte[] durable;
        (long Offset, byte[] Bytes)[] pending;
        lock (_data)
        {
            durable = (byte[])_durable.Clone();
            pending = [.. _pending];
        }

        IEnumerable<int> masks = pending.Length <= 8
            ? Enumerable.Range(0, 1 << pending.Length)
            : Enumerable.Range(0, pending.Length + 1).Select(n => (1 << n) - 1)
                .Concat(Enumerable.Range(0, pending.Length).Select(i => 1 << i))
                .Concat(Enumerable.Range(0, pending.Length).Select(i => ((1 << pending.Length) - 1) & ~(1 << i)));
        foreach (int mask in masks.Distinct())
        {
            byte[] image = (byte[])durable.Clone();
            for (int i = 0; i < pending.Length; i++)
            {
                if ((mask & (1 << i)) != 0)
                {
                    pending[i].Bytes.CopyTo(image, pending[i].Offset);
                }
            }

            yield return ($"subset {Convert.ToString(mask, 2)} of {pending.Length}", image);
        }

        for (int torn = 0; torn < pending.Length; torn++)
        {
            if (pending[torn].Bytes.Length > logicalBlockSize)
            {
                byte[] image = (byte[])durable.Clone();
                for (int i = 0; i < torn; i++)
                {
                    pending[i].Bytes.CopyTo(image, pending[i].Offset);
                }

                pending[torn].Bytes.AsSpan(0, logicalBlockSize).CopyTo(image.AsSpan((int)pending[torn].Offset));
                yield return ($"writes before {torn} and the first block of {torn}", image);
            }
        }
    }

    /// <summary>A new device holding <paramref name="image"/> as both its contents and its durable image.</summary>
    public static TestBlockDevice FromImage(byte[] image, int logicalBlockSize = 512)
    {
        var device = new TestBlockDevice(image.Length, logicalBlockSize);
        image.CopyTo(device._data, 0);
        image.CopyTo(device._durable, 0);
        return device;
    }

    public override ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, length);
        return ValueTask.CompletedTask;
    }
}
