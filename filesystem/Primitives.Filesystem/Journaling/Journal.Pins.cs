namespace Primitives.Filesystem.Journaling;

public sealed partial class Journal
{
    /// <summary>The pin FIFO: slot of sequence s is <c>Adjusted(s) &amp; _pinMask</c>; it holds the sequences [<see cref="_lastSeq"/>, <see cref="_curSeq"/>].</summary>
    private readonly JournalPinList[] _pins;
    private readonly int _pinMask;

    /// <summary>Guards the pin lists' links and the FIFO front. A leaf lock: nothing else is taken under it.</summary>
    private readonly object _pinLock = new();

    /// <summary>The FIFO front: the oldest sequence still needed. Advanced only under the pin lock, by <see cref="PopReclaimable"/>.</summary>
    private long _lastSeq;

    /// <summary>
    /// After recovery the sequences in (<see cref="_pinSkipAfter"/>, +<see cref="_pinSkipLength"/>]
    /// were seen on disk but are not part of the journal (an unflushed tail): they have no slot, the
    /// FIFO front jumps over them, and the slots of later sequences are shifted down by the gap.
    /// </summary>
    private long _pinSkipAfter = long.MaxValue;
    private long _pinSkipLength;

    /// <summary>Replayed sequences that still hold their replay reference (until <see cref="CompleteReplay"/>).</summary>
    private HashSet<long>? _replayPins;

    private int _reclaimRunning;

    private long AdjustedSeq(long seq) => seq > _pinSkipAfter ? seq - _pinSkipLength : seq;

    private JournalPinList PinSlot(long seq) => _pins[AdjustedSeq(seq) & _pinMask];

    /// <summary>Whether the FIFO has a free slot for sequence <paramref name="seq"/>.</summary>
    private bool PinFifoHasRoom(long seq, int keepFree) => AdjustedSeq(seq) - AdjustedSeq(Volatile.Read(ref _lastSeq)) < _pins.Length - keepFree;

    /// <summary>
    /// The pin count of <paramref name="seq"/> (buffer reference + pins + replay reference), or 0
    /// once the sequence has been reclaimed. For tests and invariant checks.
    /// </summary>
    internal int PinCount(long seq)
    {
        lock (_pinLock)
        {
            if (seq < _lastSeq || seq > Volatile.Read(ref _curSeq) || (seq > _pinSkipAfter && seq <= _pinSkipAfter + _pinSkipLength))
            {
                return 0;
            }

            JournalPinList slot = PinSlot(seq);
            return slot.Seq == seq ? Volatile.Read(ref slot.Count) : 0;
        }
    }

    /// <summary>
    /// Pins <paramref name="seq"/> for <paramref name="pin"/>'s object: the sequence (and every
    /// newer one) stays needed until the pin is dropped or moved past it.
    /// </summary>
    /// <param name="pin">An unpinned pin.</param>
    /// <param name="seq">A sequence the caller holds a reservation on (or a replayed sequence before <see cref="CompleteReplay"/>).</param>
    /// <exception cref="ArgumentNullException"><paramref name="pin"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seq"/> has not been opened.</exception>
    /// <exception cref="InvalidOperationException">The pin is already pinned, or <paramref name="seq"/> has already been reclaimed (nothing held it).</exception>
    /// <remarks>Thread safety: safe from any thread.</remarks>
    public void PinAdd(JournalPin pin, long seq)
    {
        ArgumentNullException.ThrowIfNull(pin);
        lock (_pinLock)
        {
            if (pin.Owner is not null)
            {
                throw new InvalidOperationException($"the pin is already on sequence {pin.Seq}: use PinUpdate to move it");
            }

            if (!CheckPinnable(seq))
            {
                return;
            }

            Link(pin, seq);
        }
    }

    /// <summary>
    /// Moves <paramref name="pin"/> to <paramref name="seq"/> if it is unpinned or pinned on an
    /// older sequence (an object dirtied again in a newer entry); does nothing if it is already on
    /// <paramref name="seq"/> or a newer one.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="pin"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seq"/> has not been opened.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="seq"/> has already been reclaimed, or the pin belongs to another journal.</exception>
    /// <remarks>Thread safety: safe from any thread.</remarks>
    public void PinUpdate(JournalPin pin, long seq)
    {
        ArgumentNullException.ThrowIfNull(pin);
        bool advanced = false;
        lock (_pinLock)
        {
            if (pin.Owner is { } owner && owner != this)
            {
                throw new InvalidOperationException("the pin belongs to another journal");
            }

            if (pin.Owner is not null && pin.Seq >= seq)
            {
                return;
            }

            if (!CheckPinnable(seq))
            {
                return;
            }

            long old = pin.Owner is null ? 0 : pin.Seq;
            if (old != 0)
            {
                Unlink(pin);
            }

            Link(pin, seq);
            if (old != 0 && Interlocked.Decrement(ref PinSlot(old).Count) == 0)
            {
                advanced = PopReclaimable();
            }
        }

        if (advanced)
        {
            Signal();
        }
    }

    /// <summary>Drops <paramref name="pin"/> (its object is written); does nothing if it is not pinned.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="pin"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The pin belongs to another journal.</exception>
    /// <remarks>Thread safety: safe from any thread. May reclaim sequences (the fast path) and wake reservations waiting for space.</remarks>
    public void PinDrop(JournalPin pin)
    {
        ArgumentNullException.ThrowIfNull(pin);
        bool advanced = false;
        lock (_pinLock)
        {
            if (pin.Owner is null)
            {
                return;
            }

            if (pin.Owner != this)
            {
                throw new InvalidOperationException("the pin belongs to another journal");
            }

            long seq = pin.Seq;
            Unlink(pin);
            if (Interlocked.Decrement(ref PinSlot(seq).Count) == 0)
            {
                advanced = PopReclaimable();
            }
        }

        if (advanced)
        {
            Signal();
        }
    }

    /// <summary>
    /// Drops the references that keep the replayed sequences needed. The engine calls it once it
    /// has replayed the keys of <see cref="JournalReplay.Entries"/> and pinned what is still dirty.
    /// </summary>
    /// <exception cref="InvalidOperationException">The journal was not opened after a replay, or this was already called.</exception>
    public void CompleteReplay()
    {
        HashSet<long> held = Interlocked.Exchange(ref _replayPins, null)
            ?? throw new InvalidOperationException("no replay references are held: the journal was opened empty, or CompleteReplay was already called");
        foreach (long seq in held.Order())
        {
            PutPin(seq);
        }
    }

    /// <summary>Drops one reference of <paramref name="seq"/>'s pin count (buffer or replay reference); reclaims at zero.</summary>
    private void PutPin(long seq)
    {
        JournalPinList slot = PinSlot(seq);
        if (Interlocked.Decrement(ref slot.Count) != 0)
        {
            return;
        }

        bool advanced;
        lock (_pinLock)
        {
            advanced = PopReclaimable();
        }

        if (advanced)
        {
            Signal();
        }
    }

    /// <summary>Gives a newly opened sequence its pin list, with the buffer's reference. Caller holds the journal lock.</summary>
    private void InitPinList(long seq)
    {
        lock (_pinLock)
        {
            PinSlot(seq).Reset(seq, 1);
        }
    }

    /// <summary>
    /// The fast reclaim path: pops zero-count sequences from the FIFO front. Returns whether the
    /// front moved. Caller holds the pin lock.
    /// </summary>
    private bool PopReclaimable()
    {
        bool advanced = false;
        long front = _lastSeq;
        while (front <= Volatile.Read(ref _curSeq))
        {
            JournalPinList slot = PinSlot(front);
            if (slot.Seq != front || Volatile.Read(ref slot.Count) != 0)
            {
                break;
            }

            OnSeqReclaimed?.Invoke(front);
            front = front == _pinSkipAfter ? front + 1 + _pinSkipLength : front + 1;
            advanced = true;
        }

        // A full fence (partner: the decrement before a put takes this lock); readers of LastSeq
        // use Volatile.Read.
        Interlocked.Exchange(ref _lastSeq, front);
        return advanced;
    }

    /// <summary>Test hook: called under the pin lock with each sequence as it is reclaimed (before the front moves past it).</summary>
    internal Action<long>? OnSeqReclaimed { get; set; }

    /// <summary>Validates a pin target; false when the (mutant) old code silently skips a reclaimed sequence. Caller holds the pin lock.</summary>
    private bool CheckPinnable(long seq)
    {
        if (seq <= 0 || seq > Volatile.Read(ref _curSeq) || (seq > _pinSkipAfter && seq <= _pinSkipAfter + _pinSkipLength))
        {
            throw new ArgumentOutOfRangeException(nameof(seq), seq, $"sequence {seq} is not an opened journal entry (current {Volatile.Read(ref _curSeq)})");
        }

        if (seq < _lastSeq)
        {
            if (_mutantOldPinLifetime)
            {
                return false; // mutant: the pre-fix code skipped a reclaimed sequence silently
            }

            throw new InvalidOperationException($"journal sequence {seq} has already been reclaimed (last_seq {_lastSeq}): pin a sequence you hold a reservation on");
        }

        return true;
    }

    private void Link(JournalPin pin, long seq)
    {
        JournalPinList slot = PinSlot(seq);
        Interlocked.Increment(ref slot.Count);
        pin.Seq = seq;
        pin.Owner = this;
        pin.Previous = null;
        pin.Next = slot.Head;
        if (slot.Head is not null)
        {
            slot.Head.Previous = pin;
        }

        slot.Head = pin;
    }

    /// <summary>Unlinks a pin without touching the count. Caller holds the pin lock.</summary>
    private void Unlink(JournalPin pin)
    {
        JournalPinList slot = PinSlot(pin.Seq);
        if (pin.Previous is not null)
        {
            pin.Previous.Next = pin.Next;
        }
        else
        {
            slot.Head = pin.Next;
        }

        if (pin.Next is not null)
        {
            pin.Next.Previous = pin.Previous;
        }

        pin.Previous = pin.Next = null;
        pin.Owner = null;
        pin.Seq = 0;
    }

    /// <summary>
    /// Asks every object pinned on a sequence up to <paramref name="seq"/> to write itself (its
    /// <see cref="JournalPin.FlushAsync"/>), and returns once none is pinned there any more: the
    /// slow reclaim path, also used by freeze and shutdown.
    /// </summary>
    /// <param name="seq">The newest sequence to free of pins.</param>
    /// <param name="cancellationToken">Cancels between callbacks.</param>
    /// <exception cref="InvalidOperationException">A pin's flush completed without dropping or moving the pin.</exception>
    /// <remarks>Thread safety: safe from any thread; callbacks run on the calling task, outside the journal's locks.</remarks>
    public Task FlushPinsAsync(long seq, CancellationToken cancellationToken = default) => FlushPinsCoreAsync(seq, singlePass: false, cancellationToken);

    /// <summary>
    /// The reclaim pass. <paramref name="singlePass"/> (background reclaim): call each pin's flush
    /// once and return; a pin still there afterwards is left for the next pass (its object may
    /// complete the write later). Otherwise repeat until no pin is left up to <paramref name="seq"/>.
    /// </summary>
    private async Task FlushPinsCoreAsync(long seq, bool singlePass, CancellationToken cancellationToken)
    {
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var batch = new List<(JournalPin Pin, long Seq)>();
            lock (_pinLock)
            {
                long last = Math.Min(seq, Volatile.Read(ref _curSeq));
                for (long s = _lastSeq; s <= last; s = s == _pinSkipAfter ? s + 1 + _pinSkipLength : s + 1)
                {
                    JournalPinList slot = PinSlot(s);
                    for (JournalPin? p = slot.Seq == s ? slot.Head : null; p is not null; p = p.Next)
                    {
                        batch.Add((p, s));
                    }
                }
            }

            if (batch.Count == 0)
            {
                return;
            }

            foreach ((JournalPin pin, long pinSeq) in batch)
            {
                if (pin.Owner == this && pin.Seq == pinSeq)
                {
                    await CallFlushAsync(pin, pinSeq, cancellationToken).ConfigureAwait(false);
                    if (!singlePass && pin.Owner == this && pin.Seq == pinSeq)
                    {
                        throw new InvalidOperationException($"{pin.GetType().Name}.FlushAsync for sequence {pinSeq} completed without dropping or moving the pin");
                    }
                }
            }

            if (singlePass)
            {
                return;
            }
        }
    }

    /// <summary>Runs a pin's flush callback with the reclaim watermark as the default for reservations it makes.</summary>
    private static async Task CallFlushAsync(JournalPin pin, long seq, CancellationToken cancellationToken)
    {
        // The async-local value flows into the callback and back out only to this method's caller
        // frames that run inside it; set here, it is restored when this async method returns.
        s_inReclaim.Value = true;
        await pin.RequestFlushAsync(seq, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Asks for a background reclaim pass that flushes the pins of the oldest half of the needed
    /// sequences, so reservations waiting for space can proceed. One pass runs at a time; a
    /// request that arrives while one runs makes it run again (a request is never dropped: the
    /// requester waits for a change that only the pass may bring).
    /// </summary>
    private void KickReclaim()
    {
        Interlocked.Exchange(ref _reclaimWanted, 1);
        if (Interlocked.CompareExchange(ref _reclaimRunning, 1, 0) == 0)
        {
            _ = Task.Run(ReclaimLoopAsync);
        }
    }

    private int _reclaimWanted;

    private async Task ReclaimLoopAsync()
    {
        while (true)
        {
            while (Interlocked.Exchange(ref _reclaimWanted, 0) == 1 && !Volatile.Read(ref _aborted))
            {
                long last = Volatile.Read(ref _lastSeq);
                long target = last + Math.Max(0, (Volatile.Read(ref _curSeq) - last) / 2);
                try
                {
                    await FlushPinsCoreAsync(target, singlePass: true, CancellationToken.None).ConfigureAwait(false);
                }
#pragma warning disable CA1031 // a failed pin flush means space cannot be freed: it stops the journal, reported to every waiter
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    Fail(new FilesystemException($"journal reclaim failed: a pinned object could not be flushed: {ex.Message}", ex));
                }
            }

            // No signal here: progress (a pin dropped, the front popped) signals by itself.
            // Stop, unless a request slipped in between the last check and the stop (then it
            // saw the pass running and left the work to it).
            Volatile.Write(ref _reclaimRunning, 0);
            if (Volatile.Read(ref _reclaimWanted) == 0 || Interlocked.CompareExchange(ref _reclaimRunning, 1, 0) != 0)
            {
                return;
            }
        }
    }
}
