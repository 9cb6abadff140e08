using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Data;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// A mounted filesystem (<see cref="FileSystem.MountAsync"/>): the btrees as a transactional
/// key/value store (<see cref="KeyValues"/>), user data space (<see cref="Data"/>), freeze, clean
/// unmount, and statistics. Disposing without <see cref="UnmountAsync"/> is an unclean shutdown: the
/// device sees no more I/O from this mount, and the next mount replays the journal.
/// </summary>
/// <remarks>
/// Thread safety: <see cref="KeyValues"/> and <see cref="Data"/> are safe from any thread (each
/// transaction on one thread). <see cref="FreezeAsync"/>, <see cref="Unfreeze"/>,
/// <see cref="UnmountAsync"/> and disposal are for one controlling caller at a time.
/// </remarks>
public sealed partial class MountedFilesystem : IAsyncDisposable, IDisposable
{
    private readonly FencedBlockDevice _device;
    private readonly MountOptions _options;
    private readonly WriteGate _gate;
    private AllocJournal _allocJournal = null!;
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _control = new(1, 1);
    private Superblock _superblock = null!;
    private BucketAllocator? _allocator;
    private Journal? _journal;
    private JournalAdapter? _journalAdapter;
    private BtreeStore? _store;
    private BtreeStore? _storeForHook;
    private IBtreeNodeSpace? _nodeSpace;
    private DiscardWorker? _discard;
    private Task? _flusher;
    private Task? _reclaimer;
    private bool _unmounted;
    private int _disposed;

    private MountedFilesystem(BlockDevice device, MountOptions options)
    {
        _device = new FencedBlockDevice(device);
        _options = options;
        _gate = new WriteGate(device.Name, options.WaitWhenFrozen);
    }

    /// <summary>The btrees as a transactional key/value store (what the POSIX layer builds on).</summary>
    public IKeyValueStore KeyValues { get; private set; } = null!;

    /// <summary>User data space (what the POSIX layer writes file contents to).</summary>
    public IDataStore Data { get; private set; } = null!;

    /// <summary>Commit and flush latencies and throughput counters.</summary>
    public EngineStatistics Statistics { get; } = new();

    /// <summary>What the mount found and did (clean or replayed, how much).</summary>
    public MountReport Mount { get; private set; } = null!;

    /// <summary>The device's name.</summary>
    public string DeviceName => _device.Name;

    /// <summary>Whether the mount is read-only (<see cref="MountOptions.ReadOnly"/>).</summary>
    public bool IsReadOnly => _options.ReadOnly;

    /// <summary>Whether <see cref="FreezeAsync"/> is in effect.</summary>
    public bool IsFrozen => _gate.IsFrozen;

    /// <summary>The superblock as of the mount (or the last write).</summary>
    public Superblock Superblock => _superblock;

    /// <summary>The btree store (for fsck, dumps and benchmarks).</summary>
    internal BtreeStore Store => _store!;

    /// <summary>The allocator.</summary>
    internal BucketAllocator Allocator => _allocator!;

    /// <summary>The journal (null on a read-only mount).</summary>
    internal Journal? Journal => _journal;

    /// <summary>The alloc-key persistence.</summary>
    internal AllocJournal AllocJournal => _allocJournal;

    /// <summary>The node space (a probe on a read-only mount).</summary>
    internal IBtreeNodeSpace NodeSpace => _nodeSpace!;

    /// <summary>
    /// Writes every alloc key not yet in the Alloc btree, then every dirty btree node, and repeats
    /// while writing nodes changes alloc keys (copy-on-write moves nodes), at most a few rounds.
    /// </summary>
    internal async Task WriteEverythingAsync(CancellationToken cancellationToken)
    {
        for (int round = 0; round < 6; round++)
        {
            _allocJournal.WriteBack(_store!);
            await _store!.FlushAllAsync(cancellationToken).ConfigureAwait(false);
            if (_allocJournal.PendingWriteBack == 0)
            {
                return;
            }
        }
    }

    private int _nodeWriterRunning;
    private long _nodeWriterRuns;
    private int _reclaimThreshold = 4;

    /// <summary>Background node write passes started by <see cref="KickNodeWrites"/>.</summary>
    internal long NodeWriterRuns => Interlocked.Read(ref _nodeWriterRuns);

    /// <summary>
    /// Proactive reclaim: when the journal holds more than a quarter of its entries, write every
    /// dirty node in the background (one pass at a time) so their pins drop and last_seq moves on
    /// before reservations have to wait for space (a node write itself needs a little journal space).
    /// </summary>
    internal void KickNodeWrites()
    {
        if (_journal is not { } journal || _store is not { } store || journal.CurrentSeq - journal.LastSeq < _reclaimThreshold)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _nodeWriterRunning, 1, 0) != 0)
        {
            return;
        }

        Interlocked.Increment(ref _nodeWriterRuns);
        _ = Task.Run(async () =>
        {
            // Bounded: under continuous commits a pass could chase re-dirtied nodes for ever; the
            // watchdog starts another one if the journal is still filling.
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            bound.CancelAfter(NodeWritePassLimit);
            try
            {
                // Ask the objects pinned on the older half of the journal to write themselves (the
                // journal's own slow reclaim path, run early while there is still room for the node
                // writes' pointer updates; the adapter moves the pins of nodes dirtied again meanwhile).
                long last = journal.LastSeq, current = journal.CurrentSeq;
                await journal.FlushPinsAsync(last + Math.Max(1, (current - last) / 2), bound.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Timed out, shutdown, or a journal/device failure the writers see on their own calls.
            }
            finally
            {
                Volatile.Write(ref _nodeWriterRunning, 0);
            }
        });
    }

    /// <summary>Longest background node write pass.</summary>
    private static readonly TimeSpan NodeWritePassLimit = TimeSpan.FromSeconds(1);

    /// <summary>Waits for a background node write pass to end (it stops at the cancellation).</summary>
    private async Task WaitNodeWriterAsync()
    {
        for (int i = 0; i < 2000 && Volatile.Read(ref _nodeWriterRunning) != 0; i++)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    /// <summary>Describes the filesystem: superblock fields, btree shapes, bucket counts by type.</summary>
    public FilesystemInfo Describe()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var sb = new List<(string, string)>
        {
            ("uuid", _superblock.Uuid.ToString()),
            ("format version", _superblock.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("sequence", _superblock.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("created", _superblock.CreatedUtc.ToString("u", System.Globalization.CultureInfo.InvariantCulture)),
            ("clean", _superblock.IsClean ? "yes" : "no"),
            ("block size", $"{_superblock.BlockSize} B"),
            ("bucket size", $"{_superblock.BucketSize / 1024} KiB"),
            ("btree node size", $"{_superblock.BtreeNodeSize / 1024} KiB"),
            ("buckets", $"{_superblock.BucketCount} ({_superblock.DataBucketCount} for btree nodes and data)"),
            ("journal buckets", string.Join(", ", _superblock.JournalBuckets)),
        };
        if (_journal is not null)
        {
            sb.Add(("journal", _journal.ToString()));
        }

        var nodes = _store!.GetNodes();
        var btrees = BtreeStore.AllBtrees.Select(id =>
        {
            var mine = nodes.Where(n => n.Btree == id).ToArray();
            return new BtreeInfo(id, _store.Height(id), mine.Length, mine.Where(n => n.Level == 0).Sum(n => (long)n.Keys));
        }).ToArray();
        var snapshot = _allocator!.Snapshot();
        var byType = snapshot.Keys.GroupBy(k => k.DataType).OrderBy(g => g.Key).Select(g => (g.Key.ToString(), (long)g.Count())).ToArray();
        return new FilesystemInfo(sb, Mount, btrees, byType);
    }

    /// <summary>Drops the mount without unmounting: the device sees no more I/O from it (an unclean shutdown; the next mount replays the journal).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        if (!_unmounted)
        {
            _gate.SetReadOnly("the filesystem was dropped without unmounting");
            await TeardownAsync(fence: true).ConfigureAwait(false);
        }

        _stop.Dispose();
        _control.Dispose();
    }

    /// <inheritdoc cref="DisposeAsync"/>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <summary>Stops the background work and (when <paramref name="fence"/>) cuts the device off; never throws.</summary>
    private async Task TeardownAsync(bool fence)
    {
        try
        {
            await _stop.CancelAsync().ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
        }

        if (_flusher is { } flusher)
        {
            try
            {
                await flusher.ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The flusher ends with the cancellation; anything else it hit was already reported to its callers.
            }

            _flusher = null;
        }

        if (_reclaimer is { } reclaimer)
        {
            await reclaimer.ConfigureAwait(false);
            _reclaimer = null;
        }

        await WaitNodeWriterAsync().ConfigureAwait(false);
        if (fence)
        {
            await _device.FenceAsync().ConfigureAwait(false);
        }

        if (_discard is { } discard)
        {
            try
            {
                await discard.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception)
            {
                // Discards are advisory; a failing one changes nothing on disk that matters.
            }

            _discard = null;
        }

        if (_allocator is { } allocator)
        {
            allocator.Changed -= _allocJournal.OnChanged;
        }
    }
}
