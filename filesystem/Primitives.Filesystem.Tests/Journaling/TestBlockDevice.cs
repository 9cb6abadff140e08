using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>
/// A small in-memory block device for the journal tests (private to this folder so the journal's
/// tests do not depend on the storage branch): counts flushes and writes, can hold flushes at a
/// gate, and can fail the next write.
/// </summary>
internal sealed class TestBlockDevice(long size, int logicalBlockSize = 512) : BlockDevice
{
    private readonly byte[] _data = new byte[size];
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
        }

        Interlocked.Increment(ref _writes);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _flushes);
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
    }

    public override ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, length);
        return ValueTask.CompletedTask;
    }
}
