using Primitives.Closures;
using Primitives.Filesystem.Devices;
using Primitives.Statistics;

namespace Primitives.Filesystem.Journaling;

/// <summary>
/// The filesystem's write-ahead log: a ring of journal regions (buckets) holding entries (jsets)
/// of opaque records, in the style of bcachefs. Writers take a <see cref="JournalReservation"/>
/// (one compare-and-swap of the packed reservation word), copy their records in and release it;
/// entries close when full, when a flush asks for them, or after <see cref="JournalOptions.CommitDelay"/>,
/// and are written in sequence order once their last reservation is released. Dirty objects pin
/// the sequence of their update (<see cref="PinAdd"/>); reclaim frees journal space as pins drop
/// and asks pinned objects to write themselves when space runs low.
/// </summary>
/// <remarks>
/// <para>
/// Durability: <see cref="FlushAsync(long, CancellationToken)"/> is fsync. A flush entry is written as device flush, entry
/// write, device flush: the first flush makes everything written before (data, earlier entries)
/// durable before the entry can be, so an entry on disk proves its predecessors are; the second
/// makes the entry itself durable. Concurrent flushers share one such write (group commit): while
/// one flush write is in flight, later flush requests accumulate in the open entry, which closes
/// when the write in flight completes. Other entries are written without flushes and are trusted
/// by replay only once a later flush entry covers them.
/// </para>
/// <para>
/// The seed-003 rule: opening an entry gives its pin list a count of one, and that reference lives
/// as long as the entry's buffer (it is dropped when the entry has been written, after its last
/// reservation was released), so a sequence's pin count is never zero while a reservation on it
/// is outstanding, and a pin set under a reservation always finds its sequence.
/// </para>
/// <para>
/// Thread safety: every public member is safe from any thread. Lock order: the journal lock, then
/// the pin lock (a leaf); no device I/O and no callback runs under either.
/// </para>
/// </remarks>
public sealed partial class Journal : IAsyncDisposable
{
    private const int BufferCount = JournalReservationState.BufferCount;

    private readonly BlockDevice _device;
    private readonly JournalRegion[] _regions;
    private readonly int _blockSize;
    private readonly JournalOptions _options;
    private readonly IClosureExecutor _executor;
    private readonly JournalBuffer[] _buffers;
    private readonly JournalEntryAppender _appender = new();
    private readonly int _reclaimReserveBytes;
    private readonly bool _mutantOldPinLifetime; // bug zoo only (JournalMutants): false in every normal journal

    /// <summary>The reservation word (see <see cref="JournalReservationState"/> for the layout). Every change is an <see cref="Interlocked"/> operation, a full fence.</summary>
    private long _state;

    /// <summary>
    /// Guards entry open/close decisions, the sequence counters below (written only under it, read
    /// with <see cref="Volatile"/> elsewhere), journal space and the flush/freeze/shutdown flags.
    /// A plain object so Coyote sees it (not a System.Threading.Lock).
    /// </summary>
    private readonly object _lock = new();

    private long _curSeq;          // the newest opened entry (0: none yet)
    private long _lastOpenedSeq;   // the back link of the next entry (differs from _curSeq only after recovery skipped sequences)
    private long _writeStartedSeq; // entries up to this one have started their write
    private long _writtenSeq;      // entries up to this one are written (completed in order)
    private long _flushStartedSeq; // the newest entry whose write is a flush write
    private long _durableSeq;      // entries up to this one are durable (a flush entry's write and second flush completed)
    private long _lastSeqOnDisk;   // last_seq of the newest durable flush entry: what replay would need

    private bool _frozen;
    private bool _shuttingDown;
    private Exception? _failure;

    /// <summary>Bumped (then the wait list woken) by every change a waiter may be waiting for.</summary>
    private long _version;
    private readonly ClosureWaitList _waiters = new();

    private Journal(BlockDevice device, JournalRegion[] regions, int blockSize, JournalOptions options)
    {
        _device = device;
        _regions = regions;
        _blockSize = blockSize;
        _options = options;
        _executor = options.Executor ?? ClosureExecutors.ThreadPool;
        _mutantOldPinLifetime = options.OldPinLifetimeMutant;
        int maxEntry = MaxEntryBytes(regions, options);
        _buffers = new JournalBuffer[BufferCount];
        for (int i = 0; i < BufferCount; i++)
        {
            _buffers[i] = new JournalBuffer(i, RoundUp(maxEntry, blockSize));
        }

        _regionMaxSeq = new long[regions.Length];
        _slackBytes = RoundUp(JournalEntryFormat.HeaderSize + options.HookReserveBytes, blockSize);
        // The reclaim reserve holds a whole entry (header, hook records and the reserved record
        // bytes): when ordinary reservations have filled the journal and no entry is open, reclaim
        // must be able to open one of its own (a reserve smaller than an entry could never be used then:
        // found by JournalPressureTests, a write-back pass waiting for space that only it could free).
        _reclaimReserveBytes = RoundUp(JournalEntryFormat.HeaderSize + options.HookReserveBytes + options.ReclaimReserveBytes, blockSize);
        // The largest entry that fits in an empty region while leaving the kept space (two
        // smallest entries) behind it, so any valid reservation eventually fits.
        MaxReservationBytes = (int)Math.Min(maxEntry, (MinRegionLength(regions) - (2 * _slackBytes) - _reclaimReserveBytes) / blockSize * blockSize) - JournalEntryFormat.HeaderSize - options.HookReserveBytes;
        if (MaxReservationBytes < JournalEntryFormat.RecordHeaderSize)
        {
            throw new ArgumentException($"journal regions of {MinRegionLength(regions)} bytes leave no room for records (entry header {JournalEntryFormat.HeaderSize}, hook reserve {options.HookReserveBytes}, reclaim reserve {options.ReclaimReserveBytes}, block {blockSize})", nameof(regions));
        }

        _pinMask = options.PinFifoSize - 1;
        _pins = new JournalPinList[options.PinFifoSize];
        for (int i = 0; i < _pins.Length; i++)
        {
            _pins[i] = new JournalPinList();
        }

        _state = JournalReservationState.AfterWritten(0).Value;
    }

    /// <summary>
    /// Opens a journal for writing on <paramref name="regions"/> of <paramref name="device"/>:
    /// an empty one (a fresh filesystem), or one that continues after the entries
    /// <paramref name="startAfter"/> replayed (then the replayed sequences stay pinned until
    /// <see cref="CompleteReplay"/>).
    /// </summary>
    /// <param name="device">The device holding the journal.</param>
    /// <param name="regions">The journal regions, in ring order (at least two).</param>
    /// <param name="blockSize">The journal block size: entries start at and are padded to it (a power of two, a multiple of the device's logical block size).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="startAfter">What <see cref="ReadAsync"/> found, or null for an empty journal.</param>
    /// <returns>The journal, ready for reservations.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> or <paramref name="regions"/> is null.</exception>
    /// <exception cref="ArgumentException">The regions are fewer than two, misaligned, overlapping, outside the device or too small.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The block size or an option is out of range.</exception>
    public static Journal Open(BlockDevice device, IReadOnlyList<JournalRegion> regions, int blockSize, JournalOptions? options = null, JournalReplay? startAfter = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(regions);
        options ??= new JournalOptions();
        options.Validate();
        JournalRegion[] checkedRegions = ValidateGeometry(device, regions, blockSize);
        var journal = new Journal(device, checkedRegions, blockSize, options);
        if (startAfter is not null)
        {
            if (startAfter.JournalId != options.JournalId)
            {
                throw new ArgumentException($"the replay was read with journal id {startAfter.JournalId:x}, the options say {options.JournalId:x}", nameof(startAfter));
            }

            journal.ContinueAfter(startAfter);
        }
        else
        {
            journal._lastSeq = 1;
            journal._lastSeqOnDisk = 1;
        }

        return journal;
    }

    /// <summary>The sequence of the newest opened entry (0 before the first).</summary>
    public long CurrentSeq => Volatile.Read(ref _curSeq);

    /// <summary>The oldest sequence still needed (the front of the pin FIFO); everything older has been reclaimed.</summary>
    public long LastSeq => Volatile.Read(ref _lastSeq);

    /// <summary>Every entry up to this sequence is durable.</summary>
    public long DurableSeq => Volatile.Read(ref _durableSeq);

    /// <summary>Every entry up to this sequence has been written (not necessarily flushed).</summary>
    public long WrittenSeq => Volatile.Read(ref _writtenSeq);

    /// <summary>The last_seq of the newest durable flush entry: what a replay after a crash now would start from.</summary>
    public long LastSeqOnDisk => Volatile.Read(ref _lastSeqOnDisk);

    /// <summary>Whether an entry is open for reservations now (a snapshot; for tests).</summary>
    internal bool IsEntryOpen => new JournalReservationState(Interlocked.Read(ref _state)).IsOpen;

    /// <summary>The most bytes one reservation can take (records and their 5-byte headers).</summary>
    public int MaxReservationBytes { get; }

    /// <summary>The journal block size.</summary>
    public int BlockSize => _blockSize;

    /// <summary>Time from a <see cref="FlushAsync(long, CancellationToken)"/> call to its sequence being durable (commit-to-durable latency).</summary>
    public TimeStats CommitToDurable { get; } = new("journal.commit_to_durable");

    /// <summary>Time of each entry write, from its start (first device flush, if any) to its completion.</summary>
    public TimeStats WriteTime { get; } = new("journal.write");

    /// <summary>Device flushes issued by the journal (two per flush entry).</summary>
    public long DeviceFlushes => Volatile.Read(ref _deviceFlushes);

    /// <summary>Entries written.</summary>
    public long EntriesWritten => Volatile.Read(ref _entriesWritten);

    /// <summary>
    /// Raised with the new <see cref="DurableSeq"/> each time it advances (in increasing order, on
    /// the write completion path, outside the journal's locks). The allocator uses it: buckets
    /// emptied at sequence S become reusable once S is durable. Handlers must be quick and must
    /// not wait on the journal.
    /// </summary>
    public event Action<long>? DurableSeqAdvanced;

    /// <summary>The bytes a record with a payload of <paramref name="payloadLength"/> bytes takes in a reservation.</summary>
    public static int RecordSize(int payloadLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(payloadLength);
        return JournalEntryFormat.RecordHeaderSize + payloadLength;
    }

    private long _deviceFlushes;
    private long _entriesWritten;

    /// <summary>Wakes every waiter to re-check its condition (after a change under or outside the lock).</summary>
    private void Signal()
    {
        Interlocked.Increment(ref _version);
        _waiters.WakeUp();
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            throw failure is JournalShutdownException shutdown
                ? new JournalShutdownException(shutdown.Message)
                : new JournalShutdownException($"the journal failed: {failure.Message}", failure);
        }
    }

    private static int RoundUp(int value, int block) => (value + block - 1) / block * block;

    private static long RoundUp(long value, int block) => (value + block - 1) / block * block;

    /// <inheritdoc/>
    public override string ToString() =>
        $"journal: cur {CurrentSeq}, last {LastSeq}, written {WrittenSeq}, durable {DurableSeq}, last on disk {LastSeqOnDisk}, write at region {_writeRegion} +{_writeOffset}, region max seqs [{string.Join(",", _regionMaxSeq)}], reclaim running {_reclaimRunning}/wanted {_reclaimWanted}, {new JournalReservationState(Volatile.Read(ref _state))}";
}
