using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;

namespace Primitives.Filesystem.Engine;

/// <summary>A mounted filesystem.</summary>
public sealed partial class MountedFilesystem : IAsyncDisposable, IDisposable
{
    /// <summary>The btrees as a transactional key/value store.</summary>
    public IKeyValueStore KeyValues { get; private set; } = null!;

    /// <summary>User data space.</summary>
    public IDataStore Data { get; private set; } = null!;

    /// <summary>Latencies and counters.</summary>
    public EngineStatistics Statistics { get; } = new();

    /// <summary>What the mount did.</summary>
    public MountReport Mount { get; private set; } = null!;

    /// <summary>Unmounts cleanly.</summary>
    public Task UnmountAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>Freezes.</summary>
    public Task FreezeAsync(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    /// <summary>Describes the filesystem.</summary>
    public FilesystemInfo Describe() => throw new NotSupportedException();

    /// <summary>Drops the mount without unmounting (a crash, as far as the device can tell).</summary>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    /// <inheritdoc />
    public void Dispose()
    {
    }
}
