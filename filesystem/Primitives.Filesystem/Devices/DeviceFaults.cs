namespace Primitives.Filesystem.Devices;

/// <summary>
/// Which operations of a <see cref="MemoryBlockDevice"/> fail with an injected
/// <see cref="DeviceException"/> (errno EIO): the Nth write, the Nth flush, every operation from
/// some point on, or any rule of your own. Lets tests exercise teardown and error paths.
/// </summary>
/// <remarks>Operations are numbered from 1 per kind, in the order they start. Thread-safe to read; set it up before use.</remarks>
public sealed class DeviceFaults
{
    /// <summary>Fail the write with this number (1 = the first write), or 0 for none.</summary>
    public long FailWriteNumber { get; init; }

    /// <summary>Fail the flush with this number (1 = the first flush), or 0 for none.</summary>
    public long FailFlushNumber { get; init; }

    /// <summary>Fail the read with this number, or 0 for none.</summary>
    public long FailReadNumber { get; init; }

    /// <summary>Fail the discard with this number, or 0 for none.</summary>
    public long FailDiscardNumber { get; init; }

    /// <summary>Fail every write and flush numbered at or after these (a device that died), or 0 for none.</summary>
    public long FailWritesFrom { get; init; }

    /// <summary>See <see cref="FailWritesFrom"/>.</summary>
    public long FailFlushesFrom { get; init; }

    /// <summary>Any other rule: (operation, number of that kind, offset or -1) → fail. Null for none.</summary>
    public Func<DeviceOperation, long, long, bool>? Rule { get; init; }

    /// <summary>How many faults were injected.</summary>
    public long InjectedCount => Interlocked.Read(ref _injected);

    private long _injected;

    internal void ThrowIfFails(BlockDevice device, DeviceOperation operation, long number, long offset)
    {
        bool fail = operation switch
        {
            DeviceOperation.Write => number == FailWriteNumber || (FailWritesFrom > 0 && number >= FailWritesFrom),
            DeviceOperation.Flush => number == FailFlushNumber || (FailFlushesFrom > 0 && number >= FailFlushesFrom),
            DeviceOperation.Read => number == FailReadNumber,
            DeviceOperation.Discard => number == FailDiscardNumber,
            _ => false,
        };
        fail |= Rule?.Invoke(operation, number, offset) ?? false;
        if (fail)
        {
            Interlocked.Increment(ref _injected);
            throw MemoryBlockDevice.InjectedFault(device, operation, number, offset);
        }
    }
}
