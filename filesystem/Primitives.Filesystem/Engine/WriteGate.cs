namespace Primitives.Filesystem.Engine;

/// <summary>
/// The door every writer (a transaction commit, a data write) passes: counts writers in flight so
/// that freeze can wait for them to drain, and holds new writers back while frozen (they wait for
/// unfreeze, or get <see cref="FilesystemFrozenException"/>, as the mount chose). A writer that was
/// let in always finishes: freeze never cuts one in half, so nothing acknowledged is lost.
/// </summary>
/// <remarks>Thread-safe. All state is guarded by <c>_lock</c>; waiters sleep on it (Monitor) or on <c>_thawed</c> (async).</remarks>
internal sealed class WriteGate
{
    private readonly object _lock = new();
    private readonly string _device;
    private readonly bool _waitWhenFrozen;
    private int _inFlight;
    private bool _frozen;
    private string? _readOnlyReason;
    private TaskCompletionSource _thawed = NewThawed();

    public WriteGate(string device, bool waitWhenFrozen)
    {
        _device = device;
        _waitWhenFrozen = waitWhenFrozen;
    }

    /// <summary>Whether the gate is closed by a freeze.</summary>
    public bool IsFrozen
    {
        get
        {
            lock (_lock)
            {
                return _frozen;
            }
        }
    }

    /// <summary>Writers inside now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>How many writers waited for an unfreeze (statistics).</summary>
    public long FrozenWaits { get; private set; }

    /// <summary>How many writers were refused because of a freeze (statistics).</summary>
    public long FrozenRefusals { get; private set; }

    /// <summary>Lets a writer in (blocking while frozen, or throwing); pair with <see cref="Exit"/>.</summary>
    /// <exception cref="FilesystemFrozenException">Frozen and the mount asked for refusal.</exception>
    /// <exception cref="FilesystemReadOnlyException">The filesystem went read-only (unmounting, or after an error).</exception>
    public void Enter()
    {
        lock (_lock)
        {
            while (true)
            {
                ThrowIfReadOnly();
                if (!_frozen)
                {
                    _inFlight++;
                    return;
                }

                Refuse();
                FrozenWaits++;
                Monitor.Wait(_lock);
            }
        }
    }

    /// <summary>Lets a writer in without blocking a thread while frozen; pair with <see cref="Exit"/>.</summary>
    /// <exception cref="FilesystemFrozenException">Frozen and the mount asked for refusal.</exception>
    /// <exception cref="FilesystemReadOnlyException">The filesystem went read-only.</exception>
    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task thawed;
            lock (_lock)
            {
                ThrowIfReadOnly();
                if (!_frozen)
                {
                    _inFlight++;
                    return;
                }

                Refuse();
                FrozenWaits++;
                thawed = _thawed.Task;
            }

            await thawed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A writer leaves; wakes a freeze waiting for the gate to drain.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            if (--_inFlight == 0)
            {
                Monitor.PulseAll(_lock);
            }
        }
    }

    /// <summary>Closes the gate and waits (without blocking a thread) until every writer let in has left.</summary>
    public async ValueTask CloseAndDrainAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_frozen)
            {
                throw new InvalidOperationException($"{_device}: the filesystem is already frozen");
            }

            _frozen = true;
        }

        // Writers are short (one commit, one data write): poll with a short sleep rather than a
        // second wait list; freeze is rare.
        while (InFlight != 0)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Opens the gate again and wakes every waiting writer.</summary>
    public void Open()
    {
        TaskCompletionSource thawed;
        lock (_lock)
        {
            _frozen = false;
            thawed = _thawed;
            _thawed = NewThawed();
            Monitor.PulseAll(_lock);
        }

        thawed.TrySetResult();
    }

    /// <summary>Refuses every writer from now on (unmount, or an error shut the filesystem down) and wakes the waiting ones so they see it.</summary>
    public void SetReadOnly(string reason)
    {
        TaskCompletionSource thawed;
        lock (_lock)
        {
            _readOnlyReason ??= reason;
            thawed = _thawed;
            _thawed = NewThawed();
            Monitor.PulseAll(_lock);
        }

        thawed.TrySetResult();
    }

    private void ThrowIfReadOnly()
    {
        if (_readOnlyReason is { } reason)
        {
            throw new FilesystemReadOnlyException($"{_device}: the filesystem is read-only ({reason})");
        }
    }

    private void Refuse()
    {
        if (!_waitWhenFrozen)
        {
            FrozenRefusals++;
            throw new FilesystemFrozenException(_device);
        }
    }

    private static TaskCompletionSource NewThawed() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
