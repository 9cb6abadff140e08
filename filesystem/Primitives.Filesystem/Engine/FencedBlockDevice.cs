using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// The device as a mounted filesystem sees it: forwards everything to the real device until
/// <see cref="FenceAsync"/>, after which every operation fails and nothing reaches the device
/// again. Dropping a mount without unmounting (a crash) fences it, so no background write of the
/// dropped instance (a journal timer, a discard) can land after the drop returned.
/// </summary>
/// <remarks>Thread-safe. Does not own the inner device.</remarks>
internal sealed class FencedBlockDevice : BlockDevice
{
    private readonly BlockDevice _inner;
    private readonly object _lock = new();
    private int _inFlight;
    private bool _fenced;
    private TaskCompletionSource? _drained;

    public FencedBlockDevice(BlockDevice inner)
    {
        _inner = inner;
    }

    public override string Name => _inner.Name;

    public override long Size => _inner.Size;

    public override int LogicalBlockSize => _inner.LogicalBlockSize;

    public override bool SupportsDiscard => _inner.SupportsDiscard;

    public BlockDevice Inner => _inner;

    public override async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Enter(DeviceOperation.Read, offset);
        try
        {
            await _inner.ReadAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Enter(DeviceOperation.Write, offset);
        try
        {
            await _inner.WriteAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        Enter(DeviceOperation.Flush, -1);
        try
        {
            await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    public override async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        Enter(DeviceOperation.Discard, offset);
        try
        {
            await _inner.DiscardAsync(offset, length, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Exit();
        }
    }

    /// <summary>Fails every later operation and waits for the ones in flight.</summary>
    public Task FenceAsync()
    {
        lock (_lock)
        {
            _fenced = true;
            if (_inFlight == 0)
            {
                return Task.CompletedTask;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _drained.Task;
        }
    }

    private void Enter(DeviceOperation operation, long offset)
    {
        lock (_lock)
        {
            if (_fenced)
            {
                throw new DeviceException(_inner.Name, operation, offset, 0, "the filesystem was dropped (unmounted uncleanly): no more I/O through this mount");
            }

            _inFlight++;
        }
    }

    private void Exit()
    {
        TaskCompletionSource? drained = null;
        lock (_lock)
        {
            if (--_inFlight == 0 && _fenced)
            {
                drained = _drained;
            }
        }

        drained?.TrySetResult();
    }
}
