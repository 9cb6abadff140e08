using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Coyote.Tests.Journaling;

/// <summary>
/// An in-memory device for Coyote: every operation yields once before it completes, so Coyote
/// can interleave other tasks with the journal's I/O (completions run on controlled tasks).
/// </summary>
internal sealed class CoyoteBlockDevice(long size) : BlockDevice
{
    private readonly byte[] _data = new byte[size];
    private int _flushes;

    public override string Name => "coyote-memory";

    public override long Size => _data.Length;

    public override int LogicalBlockSize => 512;

    public override bool SupportsDiscard => false;

    public int Flushes => Volatile.Read(ref _flushes);

    public override async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        await Task.Yield();
        _data.AsSpan((int)offset, buffer.Length).CopyTo(buffer.Span);
    }

    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        await Task.Yield();
        buffer.Span.CopyTo(_data.AsSpan((int)offset));
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _flushes);
        await Task.Yield();
    }

    public override ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
}
