using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Engine;

/// <content>Clean unmount, freeze and unfreeze, and the initial contents written by format.</content>
public sealed partial class MountedFilesystem
{
    /// <summary>
    /// Unmounts cleanly: waits for the writers in flight and refuses new ones, writes every alloc
    /// key and dirty btree node, shuts the journal down with a final flush entry, and writes the
    /// superblock marked clean with the btree roots in its clean section. The mount is unusable
    /// afterwards (dispose it).
    /// </summary>
    /// <exception cref="InvalidOperationException">Already unmounted, or mounted read-only (dispose a read-only mount instead).</exception>
    /// <exception cref="FilesystemException">A device or journal error: the filesystem stays unclean (the next mount replays the journal).</exception>
    public async Task UnmountAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_unmounted)
            {
                throw new InvalidOperationException($"{DeviceName} is already unmounted");
            }

            if (_options.ReadOnly)
            {
                throw new InvalidOperationException($"{DeviceName} is mounted read-only: dispose it instead of unmounting");
            }

            if (!_gate.IsFrozen)
            {
                await _gate.CloseAndDrainAsync(cancellationToken).ConfigureAwait(false);
            }

            _gate.SetReadOnly("unmounted");
            if (_journal!.IsFrozen)
            {
                _journal.Unfreeze();
            }

            await StopBackgroundAsync().ConfigureAwait(false);
            await CloseCleanAsync(cancellationToken).ConfigureAwait(false);
            _unmounted = true;
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>
    /// Freezes the filesystem: new writers wait (or get <see cref="FilesystemFrozenException"/>, as
    /// <see cref="MountOptions.WaitWhenFrozen"/> says), the writers in flight finish, every alloc key
    /// and dirty node is written and the journal is flushed and frozen. Nothing acknowledged is lost
    /// and nothing is written until <see cref="Unfreeze"/>. Reads keep working.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already frozen, unmounted, or read-only.</exception>
    public async Task FreezeAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _control.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_unmounted || _options.ReadOnly)
            {
                throw new InvalidOperationException($"{DeviceName} is {(_unmounted ? "unmounted" : "read-only")}: nothing to freeze");
            }

            await _gate.CloseAndDrainAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await WriteEverythingAsync(cancellationToken).ConfigureAwait(false);
                await _journal!.FreezeAsync(cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                if (_journal!.IsFrozen)
                {
                    _journal.Unfreeze();
                }

                _gate.Open();
                throw;
            }
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>Lets writers in again after <see cref="FreezeAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">Not frozen.</exception>
    public void Unfreeze()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _control.Wait();
        try
        {
            if (!_gate.IsFrozen || _unmounted)
            {
                throw new InvalidOperationException($"{DeviceName} is not frozen");
            }

            _journal!.Unfreeze();
            _gate.Open();
        }
        finally
        {
            _control.Release();
        }
    }

    /// <summary>The format step: an empty filesystem's btrees and alloc keys, written, with a clean superblock returned.</summary>
    internal static async ValueTask<Superblock> InitializeAsync(BlockDevice device, Superblock planned, CancellationToken ct)
    {
        var fs = new MountedFilesystem(device, new MountOptions { Discard = false, FlushInterval = TimeSpan.Zero });
        fs._superblock = planned;
        fs._allocJournal = new AllocJournal(FileSystem.JournalOptionsFor(planned, fs._options, fs.OnEntryWrite).HookReserveBytes);
        try
        {
            fs._allocator = BucketAllocator.Create(planned, keys: null, durableSeq: 0, new BucketAllocatorOptions { Discard = false });
            fs._allocator.Changed += fs._allocJournal.OnChanged;
            fs._journal = Journaling.Journal.Open(fs._device, FileSystem.JournalRegions(planned), planned.BlockSize, FileSystem.JournalOptionsFor(planned, fs._options, fs.OnEntryWrite));
            fs._journal.DurableSeqAdvanced += fs.OnDurable;
            fs._journalAdapter = new JournalAdapter(fs._journal);
            var space = new NodeSpace(fs._allocator, fs._device, planned.BtreeNodeSize, readOnly: false);
            fs._nodeSpace = space;
            fs._store = await BtreeStore.CreateAsync(space, fs._journalAdapter, new BtreeStoreOptions { NodeSize = planned.BtreeNodeSize }, ct).ConfigureAwait(false);
            Volatile.Write(ref fs._storeForHook, fs._store);

            // Every bucket's key, not only the changed ones, so the Alloc btree is complete from the start.
            fs._allocJournal.AddUnpersisted(Enumerable.Range(0, checked((int)planned.BucketCount)).Select(b => new KeyValuePair<long, AllocKey>(b, fs._allocator.GetKey(b))));
            fs._gate.SetReadOnly("formatting");
            return await fs.CloseCleanAsync(ct, writeSuperblock: false).ConfigureAwait(false);
        }
        finally
        {
            await fs.TeardownAsync(fence: true).ConfigureAwait(false);
            fs._unmounted = true;
            Interlocked.Exchange(ref fs._disposed, 1);
        }
    }

    private async Task StopBackgroundAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_flusher is { } flusher)
        {
            try
            {
                await flusher.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _flusher = null;
        }

        if (_reclaimer is { } reclaimer)
        {
            await reclaimer.ConfigureAwait(false);
            _reclaimer = null;
        }

        await WaitNodeWriterAsync().ConfigureAwait(false);
        if (_discard is { } discard)
        {
            _discard = null;
            await discard.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes everything, shuts the journal down and (unless formatting) writes the clean superblock; returns it.</summary>
    private async Task<Superblock> CloseCleanAsync(CancellationToken ct, bool writeSuperblock = true)
    {
        await WriteEverythingAsync(ct).ConfigureAwait(false);
        await _journal!.ShutdownAsync(ct).ConfigureAwait(false);
        BtreeRoots roots = _store!.Roots;
        Superblock clean = _superblock with { IsClean = true, CleanSection = CleanSection.Encode(roots) };
        if (writeSuperblock)
        {
            // The journal's final entry was written with a device flush after it? Flush once more
            // so every node write is durable before the superblock says clean.
            await _device.FlushAsync(ct).ConfigureAwait(false);
            clean = await SuperblockIO.WriteAsync(_device, clean, ct).ConfigureAwait(false);
        }

        _superblock = clean;
        if (_allocator is { } allocator)
        {
            allocator.Changed -= _allocJournal.OnChanged;
        }

        return clean;
    }
}
