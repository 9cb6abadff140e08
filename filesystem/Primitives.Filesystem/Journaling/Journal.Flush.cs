using System.Diagnostics;

namespace Primitives.Filesystem.Journaling;

public sealed partial class Journal
{
    /// <summary>
    /// Makes every entry up to <paramref name="seq"/> durable (fsync). Concurrent callers share
    /// one flush write (group commit): a flush request on the open entry closes it at once when no
    /// write is in flight, otherwise when the write in flight completes, so everything that
    /// arrived meanwhile goes out together.
    /// </summary>
    /// <param name="seq">The sequence to make durable (a <see cref="JournalReservation.Seq"/>); 0 does nothing.</param>
    /// <param name="cancellationToken">Cancels the wait (not the write).</param>
    /// <returns>A task that completes when <see cref="DurableSeq"/> &gt;= <paramref name="seq"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seq"/> is negative or above <see cref="CurrentSeq"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal failed (for example a device error), or shut down before the sequence was durable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    /// <remarks>Thread safety: safe from any thread. Records <see cref="CommitToDurable"/>.</remarks>
    public Task FlushAsync(long seq, CancellationToken cancellationToken = default) => FlushAsync(seq, DefaultWatermark, cancellationToken);

    /// <summary>
    /// As <see cref="FlushAsync(long, CancellationToken)"/>, saying whose flush it is: a flush that
    /// needs a new entry (everything is written, nothing durable yet) may open it in the space kept
    /// for reclaim only with <see cref="JournalWatermark.Reclaim"/> (a write-back making its node
    /// writes reachable); an ordinary flush waits for reclaim instead of using that space up.
    /// </summary>
    /// <param name="seq">The sequence to make durable; 0 does nothing.</param>
    /// <param name="watermark">Whose flush: <see cref="JournalWatermark.Reclaim"/> only for work that frees journal space.</param>
    /// <param name="cancellationToken">Cancels the wait (not the write).</param>
    /// <returns>A task that completes when <see cref="DurableSeq"/> &gt;= <paramref name="seq"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seq"/> is negative or above <see cref="CurrentSeq"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal failed, or shut down before the sequence was durable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task FlushAsync(long seq, JournalWatermark watermark, CancellationToken cancellationToken = default)
    {
        ValidateFlushSeq(seq);
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            // The version is read before the condition: a change after the check bumps it, so
            // the wait below cannot miss it.
            long version = Volatile.Read(ref _version);
            if (Volatile.Read(ref _durableSeq) >= seq)
            {
                break;
            }

            cancellationToken.ThrowIfCancellationRequested();
            RequestFlush(seq, watermark);
            using (cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => ((Journal)s!).Signal(), this) : default)
            {
                await _waiters.WaitUntilAsync(() => Volatile.Read(ref _version) != version || cancellationToken.IsCancellationRequested).ConfigureAwait(false);
            }
        }

        CommitToDurable.Record(start, Stopwatch.GetTimestamp());
    }

    /// <summary>As <see cref="FlushAsync(long, CancellationToken)"/>, blocking the calling thread.</summary>
    /// <param name="seq">The sequence to make durable; 0 does nothing.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seq"/> is negative or above <see cref="CurrentSeq"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal failed before the sequence was durable.</exception>
    public void Flush(long seq)
    {
        ValidateFlushSeq(seq);
        long start = Stopwatch.GetTimestamp();
        while (true)
        {
            long version = Volatile.Read(ref _version); // before the condition (see FlushAsync)
            if (Volatile.Read(ref _durableSeq) >= seq)
            {
                break;
            }

            RequestFlush(seq, DefaultWatermark);
            _waiters.WaitUntil(() => Volatile.Read(ref _version) != version);
        }

        CommitToDurable.Record(start, Stopwatch.GetTimestamp());
    }

    private void ValidateFlushSeq(long seq)
    {
        if (seq < 0 || seq > Volatile.Read(ref _curSeq))
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, $"must be in [0, {Volatile.Read(ref _curSeq)}] (the current sequence)");
        }
    }

    /// <summary>
    /// Arranges for a flush write covering <paramref name="seq"/>: marks the oldest entry at or
    /// after it whose write has not started, closing it if it is open and no write is in flight;
    /// if every such entry is already (being) written without a flush, opens an entry just to be
    /// the flush write (it may use the space kept for that). Idempotent; throws if the journal failed.
    /// </summary>
    private void RequestFlush(long seq, JournalWatermark watermark)
    {
        bool needSpace = false;
        long lastSeqUpdate = 0;
        RequestFlushLocked(seq, watermark, ref needSpace, ref lastSeqUpdate);
        if (lastSeqUpdate != 0)
        {
            StartBackgroundFlush(lastSeqUpdate);
        }

        if (needSpace)
        {
            KickReclaim();
        }
    }

    private void RequestFlushLocked(long seq, JournalWatermark watermark, ref bool needSpace, ref long lastSeqUpdate)
    {
        lock (_lock)
        {
            ThrowIfFailed();
            if (_durableSeq >= seq || _flushStartedSeq >= seq)
            {
                return; // a flush write covering it is done or on its way
            }

            long target = Math.Max(seq, _writeStartedSeq + 1);
            if (target > _curSeq)
            {
                // Everything up to seq is written or being written without a flush.
                if (new JournalReservationState(Interlocked.Read(ref _state)).IsOpen)
                {
                    return;
                }

                if (!OpenEntry(0, watermark == JournalWatermark.Reclaim ? EntryKind.FlushOnly : EntryKind.Flush))
                {
                    // No space: as for a blocked reservation, reclaim and a last_seq update make room.
                    needSpace = true;
                    lastSeqUpdate = RequestLastSeqUpdate();
                    return;
                }

                target = _curSeq;
            }

            JournalBuffer buffer = _buffers[target & (BufferCount - 1)];
            buffer.FlushRequested = true;
            if (target == _curSeq && _writeStartedSeq == _writtenSeq)
            {
                CloseEntry(target); // nothing in flight to batch behind: go now
            }
        }
    }

    /// <summary>
    /// When reclaim has released sequences that the on-disk last_seq still covers, and writing a
    /// new last_seq would free a region: makes the first entry whose write has not started a
    /// flush entry (opening one in the kept slack if none), and returns its sequence for a
    /// background flush to wait on; 0 when not needed or already on its way. Caller holds the lock.
    /// </summary>
    private long RequestLastSeqUpdate()
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        if (!LastSeqUpdateWouldFreeSpace() || _lastSeqUpdateSeq > _durableSeq)
        {
            return 0;
        }

        long target = _writeStartedSeq + 1;
        if (target > _curSeq)
        {
            if (new JournalReservationState(Interlocked.Read(ref _state)).IsOpen || !OpenEntry(0, EntryKind.LastSeqUpdate))
            {
                return 0;
            }

            target = _curSeq;
        }

        _buffers[target & (BufferCount - 1)].FlushRequested = true;
        if (target == _curSeq && _writeStartedSeq == _writtenSeq)
        {
            CloseEntry(target);
        }

        _lastSeqUpdateSeq = target;
        return target;
    }

    private long _lastSeqUpdateSeq;

    /// <summary>Starts a flush of <paramref name="seq"/> nobody awaits (it writes a new last_seq to free space); a failure fails the journal anyway.</summary>
    private void StartBackgroundFlush(long seq)
    {
        if (seq == 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            try
            {
                await FlushAsync(seq).ConfigureAwait(false);
            }
#pragma warning disable CA1031 // the failure is already the journal's (waiters see it); nothing else to report it to
            catch (FilesystemException)
#pragma warning restore CA1031
            {
            }
        });
    }

    /// <summary>Whether <see cref="FreezeAsync"/> is in effect.</summary>
    public bool IsFrozen => Volatile.Read(ref _frozen);

    /// <summary>
    /// Freezes the journal: new reservations wait (or throw <see cref="JournalFrozenException"/>
    /// with <see cref="JournalOptions.ThrowWhenFrozen"/>), the open entry closes, and the returned
    /// task completes once every outstanding reservation is released and everything is durable.
    /// Flushing pinned objects is the caller's (see <see cref="FlushPinsAsync"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The journal is already frozen.</exception>
    /// <exception cref="JournalShutdownException">The journal failed or shut down.</exception>
    public async Task FreezeAsync(CancellationToken cancellationToken = default)
    {
        long seq;
        lock (_lock)
        {
            ThrowIfFailed();
            if (_frozen)
            {
                throw new InvalidOperationException("the journal is already frozen");
            }

            _frozen = true;
            seq = _curSeq;
            CloseEntry(seq);
        }

        await FlushAsync(seq, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Lets reservations proceed again after <see cref="FreezeAsync"/>.</summary>
    /// <exception cref="InvalidOperationException">The journal is not frozen.</exception>
    public void Unfreeze()
    {
        lock (_lock)
        {
            if (!_frozen)
            {
                throw new InvalidOperationException("the journal is not frozen");
            }

            _frozen = false;
        }

        Signal();
    }

    /// <summary>
    /// Clean shutdown: refuses new reservations (<see cref="JournalShutdownException"/>), waits
    /// for outstanding ones, flushes every pinned object (<see cref="FlushPinsAsync"/>), and writes
    /// a final flush entry whose last_seq is itself, so a replay finds nothing to replay but that
    /// entry (and its hook records). Idempotent once complete.
    /// </summary>
    /// <exception cref="JournalShutdownException">The journal failed before shutting down cleanly.</exception>
    public async Task ShutdownAsync(CancellationToken cancellationToken = default)
    {
        long seq;
        lock (_lock)
        {
            if (_failure is JournalShutdownException)
            {
                return;
            }

            ThrowIfFailed();
            _shuttingDown = true;
            seq = _curSeq;
            CloseEntry(seq);
        }

        Signal(); // reservers waiting for space now throw
        await FlushAsync(seq, cancellationToken).ConfigureAwait(false);
        if (_replayPins is not null)
        {
            CompleteReplay();
        }

        await FlushPinsAsync(long.MaxValue, cancellationToken).ConfigureAwait(false);

        // The final entry: everything is reclaimed, so its last_seq is its own seq.
        long final;
        while (true)
        {
            long version = Volatile.Read(ref _version);
            lock (_lock)
            {
                ThrowIfFailed();
                if (OpenEntry(0, EntryKind.LastSeqUpdate))
                {
                    final = _curSeq;
                    _buffers[final & (BufferCount - 1)].FlushRequested = true;
                    if (_writeStartedSeq == _writtenSeq)
                    {
                        CloseEntry(final);
                    }

                    break;
                }
            }

            await _waiters.WaitUntilAsync(() => Volatile.Read(ref _version) != version).ConfigureAwait(false);
        }

        await FlushAsync(final, cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _failure = new JournalShutdownException("the journal has been shut down");
            MarkStateError();
        }

        Signal();
    }

    private bool _aborted;
    private readonly CancellationTokenSource _stopTimers = new();

    /// <summary>
    /// Stops the journal without writing anything more (a failed mount being undone, or a
    /// simulated crash): reservations, flushes and waiters fail with
    /// <see cref="JournalShutdownException"/>, commit-delay timers stop, reclaim stops calling
    /// pins, and the write in flight (if any) ends before its next device operation. The task
    /// completes once no journal I/O is in flight; the device is not touched afterwards.
    /// Idempotent; after a clean <see cref="ShutdownAsync"/> it only waits.
    /// </summary>
    /// <remarks>Thread safety: safe from any thread. Entries not yet durable are lost, as in a crash.</remarks>
    public async Task AbortAsync()
    {
        lock (_lock)
        {
            _aborted = true;
            _failure ??= new JournalShutdownException("the journal was aborted");
            MarkStateError();
        }

        await _stopTimers.CancelAsync().ConfigureAwait(false);
        Signal();
        while (true)
        {
            long version = Volatile.Read(ref _version);
            if (Volatile.Read(ref _writesInFlight) == 0)
            {
                return;
            }

            await _waiters.WaitUntilAsync(() => Volatile.Read(ref _version) != version).ConfigureAwait(false);
        }
    }

    /// <summary>The same as <see cref="AbortAsync"/> (a journal disposed without <see cref="ShutdownAsync"/> is a crash).</summary>
    public ValueTask DisposeAsync() => new(AbortAsync());
}
