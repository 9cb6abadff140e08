using System.Diagnostics;
using Primitives.Closures;

namespace Primitives.Filesystem.Journaling;

public sealed partial class Journal
{
    /// <summary>
    /// Starts the write of the oldest unwritten entry if it is ready (closed, no references) and
    /// no write is in flight: entries are written one at a time, in sequence order, so entry N is
    /// on disk only if every entry before it is.
    /// </summary>
    private void TryStartNextWrite()
    {
        JournalBuffer buffer;
        lock (_lock)
        {
            if (_writeStartedSeq != _writtenSeq || _failure is not null)
            {
                return; // one write at a time: the completion starts the next
            }

            long seq = _writtenSeq + 1;
            if (seq > _curSeq)
            {
                return;
            }

            buffer = _buffers[seq & (BufferCount - 1)];
            if (buffer.Seq != seq || !buffer.Ready)
            {
                return;
            }

            _writeStartedSeq = seq;
            buffer.IsFlushWrite = buffer.FlushRequested;
            if (buffer.IsFlushWrite)
            {
                _flushStartedSeq = seq;
            }
        }

        // The write is a chain of closure steps on the executor: [device flush], write, [device flush], done.
        Interlocked.Increment(ref _writesInFlight);
        Closure.Call(closure => WriteBuildAndPreflush(closure, buffer), _executor);
    }

    private void WriteBuildAndPreflush(Closure closure, JournalBuffer buffer)
    {
        if (StopIfAborted(closure))
        {
            return;
        }

        buffer.WriteStartTimestamp = Stopwatch.GetTimestamp();
        int position = JournalEntryFormat.HeaderSize + buffer.Used;
        if (_options.EntryWriteHook is { } hook)
        {
            _appender.Reset(buffer.Data, buffer.Seq, position, position + _options.HookReserveBytes);
            try
            {
                hook(_appender);
            }
#pragma warning disable CA1031 // the hook's failure fails the journal and reaches every waiter
            catch (Exception ex)
#pragma warning restore CA1031
            {
                FailWrite(closure, buffer, new FilesystemException($"the journal entry hook threw for seq {buffer.Seq}: {ex.Message}", ex));
                return;
            }

            position = _appender.Position;
        }

        // last_seq as of now: the buffer's pin reference keeps it at or below this entry's seq
        // (the clamp only matters for the mutant, whose early pin drop can let it pass).
        buffer.WrittenLastSeq = Math.Min(Volatile.Read(ref _lastSeq), buffer.Seq);
        buffer.Length = position;
        JournalEntryFormat.WriteHeader(buffer.Data, _options.JournalId, buffer.Seq, buffer.PrevSeq, buffer.WrittenLastSeq, position, buffer.IsFlushWrite);
        if (buffer.IsFlushWrite)
        {
            // First flush: whatever was written before (data, earlier entries) is durable before this entry can be.
            Interlocked.Increment(ref _deviceFlushes);
            TrackIo(closure, buffer, _device.FlushAsync().AsTask());
            closure.ContinueAt(c => WriteEntry(c, buffer), _executor);
        }
        else
        {
            WriteEntry(closure, buffer);
        }
    }

    private void WriteEntry(Closure closure, JournalBuffer buffer)
    {
        if (IoFailed(closure, buffer, "flush before") || StopIfAborted(closure))
        {
            return;
        }

        int length = RoundUp(buffer.Length, _blockSize);
        TrackIo(closure, buffer, _device.WriteAsync(buffer.DeviceOffset, buffer.Data.AsMemory(0, length)).AsTask());
        closure.ContinueAt(c => WritePostflush(c, buffer), _executor);
    }

    private void WritePostflush(Closure closure, JournalBuffer buffer)
    {
        if (IoFailed(closure, buffer, "write of") || StopIfAborted(closure))
        {
            return;
        }

        if (buffer.IsFlushWrite)
        {
            // Second flush: the entry itself is durable.
            Interlocked.Increment(ref _deviceFlushes);
            TrackIo(closure, buffer, _device.FlushAsync().AsTask());
            closure.ContinueAt(c => WriteDone(c, buffer), _executor);
        }
        else
        {
            WriteDone(closure, buffer);
        }
    }

    private void WriteDone(Closure closure, JournalBuffer buffer)
    {
        if (IoFailed(closure, buffer, "flush after"))
        {
            return;
        }

        closure.Return();
        OnWriteDone(buffer);
        EndWritePipeline();
    }

    /// <summary>After <see cref="AbortAsync"/>: ends the write pipeline before its next device operation.</summary>
    private bool StopIfAborted(Closure closure)
    {
        if (!Volatile.Read(ref _aborted))
        {
            return false;
        }

        closure.Return();
        EndWritePipeline();
        return true;
    }

    private int _writesInFlight;

    private void EndWritePipeline()
    {
        Interlocked.Decrement(ref _writesInFlight);
        Signal(); // AbortAsync waits for the pipeline to end
    }

    private static void TrackIo(Closure closure, JournalBuffer buffer, Task io)
    {
        buffer.PendingIo = io;
        closure.Track(io);
    }

    /// <summary>Whether the I/O the closure waited for failed; if so the journal fails and the step ends.</summary>
    private bool IoFailed(Closure closure, JournalBuffer buffer, string what)
    {
        Task? io = buffer.PendingIo;
        buffer.PendingIo = null;
        if (io is null || io.IsCompletedSuccessfully)
        {
            return false;
        }

        Exception error = io.Exception?.InnerException ?? new OperationCanceledException("journal I/O was cancelled");
        FailWrite(closure, buffer, new FilesystemException($"journal {what} entry {buffer.Seq} at byte {buffer.DeviceOffset} of {_device.Name} failed: {error.Message}", error));
        return true;
    }

    private void FailWrite(Closure closure, JournalBuffer buffer, Exception error)
    {
        closure.Return();
        Fail(error);
        EndWritePipeline();
    }

    /// <summary>Stops the journal: every reservation, flush and waiter from now on throws <see cref="JournalShutdownException"/> carrying <paramref name="error"/>.</summary>
    private void Fail(Exception error)
    {
        lock (_lock)
        {
            _failure ??= error;
            MarkStateError();
        }

        Signal();
    }

    /// <summary>Sets the error marker in the reservation word so the fast path refuses. Caller holds the lock.</summary>
    private void MarkStateError()
    {
        var state = new JournalReservationState(Interlocked.Read(ref _state));
        while (!state.IsError)
        {
            bool wasOpen = state.IsOpen;
            long seen = Interlocked.CompareExchange(ref _state, state.Fail().Value, state.Value);
            if (seen == state.Value)
            {
                if (wasOpen)
                {
                    // The open entry's reference goes with it (reservations still hold theirs).
                    _buffers[state.Index].Used = state.Offset;
                    Interlocked.Add(ref _state, -JournalReservationState.CountIncrement(state.Index));
                }

                return;
            }

            state = new JournalReservationState(seen);
        }
    }

    /// <summary>
    /// A write completed: advances the written (and, for a flush write, durable) sequence, drops
    /// the buffer's pin reference (the seed-003 fix: the pin count of a sequence stays non-zero
    /// until here), closes an open entry that waits to be flushed (group commit), and starts the
    /// next write.
    /// </summary>
    private void OnWriteDone(JournalBuffer buffer)
    {
        long seq = buffer.Seq;
        long durable = 0;
        WriteTime.Record(buffer.WriteStartTimestamp, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _entriesWritten);

        // The buffer's pin reference, taken when the entry opened: dropped here, once the last
        // reservation is released and the entry written (the seed-003 fix), and before the write
        // is published as written or durable, so whoever sees the sequence durable also sees its
        // buffer no longer holding last_seq back.
        if (!_mutantOldPinLifetime)
        {
            PutPin(seq);
        }

        lock (_lock)
        {
            Volatile.Write(ref _writtenSeq, seq);
            var state = new JournalReservationState(Interlocked.Read(ref _state));
            while (true)
            {
                Debug.Assert(state.UnwrittenIndex == buffer.Index, "writes complete in buffer order");
                long seen = Interlocked.CompareExchange(ref _state, state.AdvanceUnwritten().Value, state.Value);
                if (seen == state.Value)
                {
                    break;
                }

                state = new JournalReservationState(seen);
            }

            if (buffer.IsFlushWrite)
            {
                Volatile.Write(ref _durableSeq, seq);
                _lastSeqOnDisk = Math.Max(_lastSeqOnDisk, buffer.WrittenLastSeq);
                durable = seq;
            }

            // Group commit: flush requests that arrived while this write was in flight wait in
            // the open entry; close it now so they share the next write.
            if (state.IsOpen && _buffers[state.Index].FlushRequested)
            {
                CloseEntry(_curSeq);
            }
        }

        Signal();
        if (durable != 0)
        {
            RaiseDurableSeqAdvanced(durable);
        }

        TryStartNextWrite();
    }

    private readonly object _durableEventLock = new();
    private long _durableReported;

    /// <summary>
    /// Raises <see cref="DurableSeqAdvanced"/> in increasing order: a completion that lost the race
    /// to a newer one is skipped (the newer value covers it).
    /// </summary>
    private void RaiseDurableSeqAdvanced(long durable)
    {
        lock (_durableEventLock)
        {
            if (durable <= _durableReported)
            {
                return;
            }

            _durableReported = durable;
            DurableSeqAdvanced?.Invoke(durable);
        }
    }
}
