using System.Diagnostics;

namespace Primitives.Filesystem.Journaling;

public sealed partial class Journal
{
    /// <summary>What the slow path tells a reserver.</summary>
    private enum SlowPathResult
    {
        Retry, // an entry with room may be open now: try the word again
        Wait,  // no room (buffers, space or pin FIFO full, or frozen): wait for a change
    }

    /// <summary>
    /// Reserves <paramref name="bytes"/> bytes in the current entry, blocking while the journal is
    /// full (until writes complete and reclaim frees space) or frozen.
    /// </summary>
    /// <param name="bytes">Space for the records to add: the sum of <see cref="RecordSize"/> of each (at most <see cref="MaxReservationBytes"/>).</param>
    /// <param name="watermark">
    /// How deep into kept-back space the reservation may go; null: <see cref="JournalWatermark.Reclaim"/>
    /// inside a <see cref="JournalPin"/> flush callback, else <see cref="JournalWatermark.Normal"/>.
    /// </param>
    /// <returns>The reservation; dispose it when its records are in (that releases the entry's buffer).</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or above <see cref="MaxReservationBytes"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal is shut down or failed.</exception>
    /// <exception cref="JournalFrozenException">The journal is frozen and <see cref="JournalOptions.ThrowWhenFrozen"/> is set.</exception>
    /// <remarks>
    /// Thread safety: safe from any thread. The fast path is one compare-and-swap on the reservation
    /// word. Do not wait for a reservation while holding something reclaim needs (a lock a pinned
    /// object's write-back takes): use <see cref="TryReserve"/> there, drop it, and wait here.
    /// </remarks>
    public JournalReservation Reserve(int bytes, JournalWatermark? watermark = null)
    {
        ValidateReservation(bytes);
        JournalWatermark level = watermark ?? DefaultWatermark;
        while (true)
        {
            long version = Volatile.Read(ref _version); // before the attempt: a change after it bumps the version
            if (TryReserveFast(bytes, level) is { } reservation)
            {
                return reservation;
            }

            if (ReserveSlow(bytes, level) == SlowPathResult.Wait)
            {
                _waiters.WaitUntil(() => Volatile.Read(ref _version) != version);
            }
        }
    }

    /// <summary>As <see cref="Reserve"/>, waiting without blocking a thread.</summary>
    /// <param name="bytes">Space for the records to add (see <see cref="Reserve"/>).</param>
    /// <param name="cancellationToken">Cancels a wait for space (checked each time the journal changes).</param>
    /// <returns>The reservation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or above <see cref="MaxReservationBytes"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal is shut down or failed.</exception>
    /// <exception cref="JournalFrozenException">The journal is frozen and <see cref="JournalOptions.ThrowWhenFrozen"/> is set.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public ValueTask<JournalReservation> ReserveAsync(int bytes, CancellationToken cancellationToken = default) =>
        ReserveAsync(bytes, DefaultWatermark, cancellationToken);

    /// <summary>As <see cref="Reserve"/> with an explicit watermark, waiting without blocking a thread.</summary>
    /// <param name="bytes">Space for the records to add (see <see cref="Reserve"/>).</param>
    /// <param name="watermark">How deep into kept-back space the reservation may go.</param>
    /// <param name="cancellationToken">Cancels a wait for space.</param>
    /// <returns>The reservation.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or above <see cref="MaxReservationBytes"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal is shut down or failed.</exception>
    /// <exception cref="JournalFrozenException">The journal is frozen and <see cref="JournalOptions.ThrowWhenFrozen"/> is set.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting.</exception>
    public async ValueTask<JournalReservation> ReserveAsync(int bytes, JournalWatermark watermark, CancellationToken cancellationToken = default)
    {
        ValidateReservation(bytes);
        while (true)
        {
            long version = Volatile.Read(ref _version); // before the attempt: a change after it bumps the version
            if (TryReserveFast(bytes, watermark) is { } reservation)
            {
                return reservation;
            }

            cancellationToken.ThrowIfCancellationRequested();
            if (ReserveSlow(bytes, watermark) == SlowPathResult.Wait)
            {
                using (cancellationToken.CanBeCanceled ? cancellationToken.UnsafeRegister(static s => ((Journal)s!).Signal(), this) : default)
                {
                    await _waiters.WaitUntilAsync(() => Volatile.Read(ref _version) != version || cancellationToken.IsCancellationRequested).ConfigureAwait(false);
                }
            }
        }
    }

    /// <summary>
    /// Reserves like <see cref="Reserve"/> but never waits: false when the journal has no room now
    /// (or is frozen). A refusal still starts what frees space (reclaim, a last_seq update), so
    /// the caller can drop its locks, wait in <see cref="Reserve"/> or <see cref="ReserveAsync(int, CancellationToken)"/>, and retry.
    /// </summary>
    /// <param name="bytes">Space for the records to add (see <see cref="Reserve"/>).</param>
    /// <param name="reservation">The reservation, when granted.</param>
    /// <param name="watermark">As for <see cref="Reserve"/>.</param>
    /// <returns>Whether the reservation was granted.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bytes"/> is negative or above <see cref="MaxReservationBytes"/>.</exception>
    /// <exception cref="JournalShutdownException">The journal is shut down or failed.</exception>
    /// <exception cref="JournalFrozenException">The journal is frozen and <see cref="JournalOptions.ThrowWhenFrozen"/> is set.</exception>
    public bool TryReserve(int bytes, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JournalReservation? reservation, JournalWatermark? watermark = null)
    {
        ValidateReservation(bytes);
        JournalWatermark level = watermark ?? DefaultWatermark;
        while (true)
        {
            reservation = TryReserveFast(bytes, level);
            if (reservation is not null)
            {
                return true;
            }

            if (ReserveSlow(bytes, level) == SlowPathResult.Wait)
            {
                return false;
            }
        }
    }

    /// <summary>Set while a pin's flush callback runs (reclaim): reservations made there may use the reclaim reserve.</summary>
    private static readonly AsyncLocal<bool> s_inReclaim = new();

    private static JournalWatermark DefaultWatermark => s_inReclaim.Value ? JournalWatermark.Reclaim : JournalWatermark.Normal;

    private void ValidateReservation(int bytes)
    {
        if (bytes < 0 || bytes > MaxReservationBytes)
        {
            throw new ArgumentOutOfRangeException(nameof(bytes), bytes, $"a reservation takes 0 to {MaxReservationBytes} bytes in this journal");
        }
    }

    /// <summary>The fast path: one compare-and-swap that advances the open entry's offset and takes a buffer reference.</summary>
    private JournalReservation? TryReserveFast(int bytes, JournalWatermark watermark)
    {
        var state = new JournalReservationState(Interlocked.Read(ref _state));
        while (true)
        {
            // The buffer of the index in the word we read is the open entry's (its capacities were
            // written before the compare-and-swap that opened it, which published them). A
            // reclaim reservation may fill the entry further than an ordinary one.
            JournalBuffer buffer = _buffers[state.Index];
            if (!state.TryReserve(bytes, buffer.Capacity(watermark), out JournalReservationState next))
            {
                return null;
            }

            long seen = Interlocked.CompareExchange(ref _state, next.Value, state.Value);
            if (seen == state.Value)
            {
                // Our reference keeps the buffer (and its Seq) from being reused until we release it.
                return new JournalReservation(this, buffer, buffer.Seq, JournalEntryFormat.HeaderSize + state.Offset, bytes);
            }

            state = new JournalReservationState(seen);
        }
    }

    /// <summary>The slow path, under the lock: closes a full entry, opens the next one, or decides to wait.</summary>
    private SlowPathResult ReserveSlow(int bytes, JournalWatermark watermark)
    {
        bool kickReclaim = false;
        long lastSeqUpdate = 0;
        SlowPathResult result;
        lock (_lock)
        {
            ThrowIfFailed();
            if (_shuttingDown)
            {
                throw new JournalShutdownException("the journal is shutting down: no new reservations");
            }

            if (_frozen)
            {
                if (_options.ThrowWhenFrozen)
                {
                    throw new JournalFrozenException("the journal is frozen: no new reservations until Unfreeze");
                }

                return SlowPathResult.Wait;
            }

            var state = new JournalReservationState(Interlocked.Read(ref _state));
            if (state.IsOpen)
            {
                JournalBuffer current = _buffers[state.Index];
                if (state.TryReserve(bytes, current.Capacity(watermark), out _))
                {
                    return SlowPathResult.Retry;
                }

                // Full (or out of references): close it, so it is written once its reservations are
                // released, but only if a new entry can open after it. A close that no open can
                // follow would waste the rest of the entry, which may be the reclaim reserve that
                // the write-backs freeing space are filling (found by a test: a waiting ordinary
                // reservation closed each reclaim entry in turn until the reserve was gone).
                if (!CanOpenAfterClosing(current, state, bytes, KindFor(watermark)))
                {
                    kickReclaim = true;
                    lastSeqUpdate = RequestLastSeqUpdate();
                    result = SlowPathResult.Wait;
                    goto Done;
                }

                CloseEntry(_curSeq);
            }

            if (OpenEntry(bytes, KindFor(watermark)))
            {
                result = SlowPathResult.Retry;
            }
            else
            {
                // Full: writes in flight will free buffers; reclaim frees space and FIFO slots.
                kickReclaim = true;
                lastSeqUpdate = RequestLastSeqUpdate();
                result = SlowPathResult.Wait;
            }

        Done:;
        }

        if (lastSeqUpdate != 0)
        {
            StartBackgroundFlush(lastSeqUpdate);
        }

        if (kickReclaim)
        {
            KickReclaim();
        }

        return result;
    }

    private static EntryKind KindFor(JournalWatermark watermark) =>
        watermark == JournalWatermark.Reclaim ? EntryKind.ReclaimReservations : EntryKind.Reservations;

    /// <summary>
    /// Whether, once the open entry in <paramref name="current"/> (fill as in <paramref name="state"/>)
    /// is closed, the next entry could open for a reservation of <paramref name="bytes"/>: a
    /// buffer, a pin FIFO slot and the space after the closed entry. Caller holds the lock.
    /// </summary>
    private bool CanOpenAfterClosing(JournalBuffer current, JournalReservationState state, int bytes, EntryKind kind)
    {
        long next = _curSeq + 1;
        if (next - BufferCount > _writtenSeq || !PinFifoHasRoom(next, kind is EntryKind.Reservations or EntryKind.Flush ? ReclaimFifoSlots : 0))
        {
            return false;
        }

        long savedOffset = _writeOffset;
        _writeOffset = current.RegionOffset + RoundUp(JournalEntryFormat.HeaderSize + state.Offset + _options.HookReserveBytes, _blockSize);
        bool fits = TryPlace(JournalEntryFormat.HeaderSize + _options.HookReserveBytes + bytes, kind, out _, out _, out _);
        _writeOffset = savedOffset;
        return fits;
    }

    /// <summary>
    /// Opens the next entry if a buffer, journal space and a pin FIFO slot are free. The new
    /// entry's pin list starts with the buffer's reference (dropped when the entry is written) and
    /// its buffer count with the open entry's reference (dropped when it closes). Caller holds the
    /// lock; the current entry is closed.
    /// </summary>
    private bool OpenEntry(int minReserveBytes, EntryKind kind)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        var state = new JournalReservationState(Interlocked.Read(ref _state));
        Debug.Assert(!state.IsOpen);
        long seq = _curSeq + 1;
        if (state.IsError || seq - BufferCount > _writtenSeq || !PinFifoHasRoom(seq, kind is EntryKind.Reservations or EntryKind.Flush ? ReclaimFifoSlots : 0))
        {
            return false;
        }

        int hook = _options.HookReserveBytes;
        if (!TryPlace(JournalEntryFormat.HeaderSize + hook + minReserveBytes, kind, out int region, out long regionOffset, out int capacity))
        {
            return false;
        }

        JournalBuffer buffer = _buffers[seq & (BufferCount - 1)];
        Debug.Assert(state.Count(buffer.Index) == 0, "the buffer of an entry written has no references");
        // Capacities per watermark: ordinary reservations leave the reclaim reserve, reclaim ones
        // do not. Neither joins an entry opened for a flush or a last_seq update: it was placed in
        // kept space (a reserver finding it closes it and opens its own entry, or waits).
        int records = -JournalEntryFormat.HeaderSize - hook;
        int normal = 0, reclaim = 0;
        if (kind is EntryKind.Reservations or EntryKind.ReclaimReservations)
        {
            normal = Math.Clamp(CapacityAt(region, regionOffset, SpaceLeftBehind(EntryKind.Reservations)) + records, 0, JournalReservationState.MaxOffset);
            reclaim = Math.Clamp(CapacityAt(region, regionOffset, SpaceLeftBehind(EntryKind.ReclaimReservations)) + records, normal, JournalReservationState.MaxOffset);
        }

        buffer.Reset(seq, _lastOpenedSeq, region, regionOffset, _regions[region].Offset + regionOffset, normal, reclaim);
        _writeRegion = region;
        _writeOffset = regionOffset;
        _regionMaxSeq[region] = Math.Max(_regionMaxSeq[region], seq);
        InitPinList(seq);
        Volatile.Write(ref _curSeq, seq);
        _lastOpenedSeq = seq;

        while (true)
        {
            // Releases and write completions change counts and the unwritten index concurrently.
            JournalReservationState next = state.OpenNext();
            Debug.Assert(next.Index == buffer.Index);
            long seen = Interlocked.CompareExchange(ref _state, next.Value, state.Value);
            if (seen == state.Value)
            {
                break;
            }

            state = new JournalReservationState(seen);
        }

        if (_options.CommitDelay is { } delay)
        {
            _ = CloseAfterDelayAsync(seq, delay);
        }

        return true;
    }

    /// <summary>Closes the open entry, if any (as a full entry or the commit delay would). For tests and the engine's freeze paths.</summary>
    internal void CloseCurrentEntry()
    {
        lock (_lock)
        {
            CloseEntry(_curSeq);
        }
    }

    private async Task CloseAfterDelayAsync(long seq, TimeSpan delay)
    {
        try
        {
            await Task.Delay(delay, _stopTimers.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return; // aborted
        }

        lock (_lock)
        {
            CloseEntry(seq);
        }
    }

    /// <summary>
    /// Closes entry <paramref name="seq"/> if it is the open one: no reservation can join it any
    /// more, its size is fixed, and the open entry's buffer reference is dropped (the final put,
    /// and so the write, happens when the last reservation is released). Caller holds the lock.
    /// </summary>
    private void CloseEntry(long seq)
    {
        Debug.Assert(Monitor.IsEntered(_lock));
        if (seq != _curSeq)
        {
            return;
        }

        var state = new JournalReservationState(Interlocked.Read(ref _state));
        while (true)
        {
            if (!state.IsOpen)
            {
                return;
            }

            long seen = Interlocked.CompareExchange(ref _state, state.Close().Value, state.Value);
            if (seen == state.Value)
            {
                break;
            }

            state = new JournalReservationState(seen);
        }

        JournalBuffer buffer = _buffers[state.Index];
        buffer.Used = state.Offset;
        _writeOffset = buffer.RegionOffset + RoundUp(JournalEntryFormat.HeaderSize + buffer.Used + _options.HookReserveBytes, _blockSize);

        if (_mutantOldPinLifetime)
        {
            // Mutant (seed 003 before the fix): the pin reference ends with the open entry.
            PutPin(seq);
        }

        ReleaseBuffer(state.Index);
    }

    /// <summary>
    /// Drops one reference on <paramref name="index"/>'s buffer; the final put (count zero: the
    /// entry is closed and every reservation released) marks it ready and starts writes.
    /// </summary>
    internal void ReleaseBuffer(int index)
    {
        // Full fence: the releaser's record copies happen before the put that lets the writer read them.
        long value = Interlocked.Add(ref _state, -JournalReservationState.CountIncrement(index));
        if (new JournalReservationState(value).Count(index) == 0)
        {
            _buffers[index].Ready = true;
            TryStartNextWrite();
        }
    }
}
