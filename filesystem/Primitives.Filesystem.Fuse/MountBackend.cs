using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Fuse;

/// <summary>
/// What a mount serves: the engine's key/value store and data store (and its space accounting), and
/// how to shut them down after the unmount (flush, then close the device).
/// </summary>
public sealed class MountBackend : IAsyncDisposable
{
    private readonly Func<ValueTask> _close;

    /// <summary>Creates a backend from its parts.</summary>
    /// <param name="kv">The btrees.</param>
    /// <param name="data">The user data space.</param>
    /// <param name="space">Space accounting for statfs (may be null).</param>
    /// <param name="description">What is mounted, for messages ("memory", "engine on /dev/loop0").</param>
    /// <param name="close">Flushes and closes the backend after the unmount.</param>
    public MountBackend(IKeyValueStore kv, IDataStore data, IFilesystemSpace? space, string description, Func<ValueTask> close)
    {
        Kv = kv ?? throw new ArgumentNullException(nameof(kv));
        Data = data ?? throw new ArgumentNullException(nameof(data));
        Space = space;
        Description = description ?? throw new ArgumentNullException(nameof(description));
        _close = close ?? throw new ArgumentNullException(nameof(close));
    }

    /// <summary>The btrees.</summary>
    public IKeyValueStore Kv { get; }

    /// <summary>The user data space.</summary>
    public IDataStore Data { get; }

    /// <summary>Space accounting, or null.</summary>
    public IFilesystemSpace? Space { get; }

    /// <summary>What is mounted.</summary>
    public string Description { get; }

    /// <summary>An in-memory backend (nothing survives the unmount): for development and tests.</summary>
    /// <param name="capacityBytes">The data capacity statfs reports.</param>
    public static MountBackend Memory(long capacityBytes = 1L << 30)
    {
        var data = new MemoryDataStore(capacityBytes);
        return new MountBackend(new MemoryKeyValueStore(), data, data, $"memory ({capacityBytes >> 20} MiB)", () => ValueTask.CompletedTask);
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _close();
}
