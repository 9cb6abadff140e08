namespace Primitives.Filesystem.Journaling;

/// <summary>
/// One of the four in-memory entry buffers. Owned by the entry with sequence <see cref="Seq"/> from
/// its open until its write completes; only then may the next entry with the same index
/// (<c>Seq + 4</c>) reuse it. Reservations copy their records into <see cref="Data"/> at the
/// ranges the reservation word handed them, so writers never share bytes.
/// </summary>
internal sealed class JournalBuffer(int index, int size)
{
    public int Index { get; } = index;

    /// <summary>Header, records and zero padding; entries are written from here.</summary>
    public byte[] Data { get; } = new byte[size];

    public long Seq;

    /// <summary>The sequence of the entry opened before this one (the on-disk back link).</summary>
    public long PrevSeq;

    public int Region;

    /// <summary>Byte offset of the entry inside its region.</summary>
    public long RegionOffset;

    /// <summary>Byte offset of the entry on the device.</summary>
    public long DeviceOffset;

    /// <summary>Bytes <see cref="JournalWatermark.Normal"/> reservations may take (the reservation word's capacity for them).</summary>
    public int ReserveCapacity;

    /// <summary>Bytes <see cref="JournalWatermark.Reclaim"/> reservations may take (at least <see cref="ReserveCapacity"/>).</summary>
    public int ReclaimCapacity;

    public int Capacity(JournalWatermark watermark) => watermark == JournalWatermark.Reclaim ? ReclaimCapacity : ReserveCapacity;

    /// <summary>Bytes reservations took, fixed when the entry closed.</summary>
    public int Used;

    /// <summary>Bytes of the entry as written (header, records, hook records).</summary>
    public int Length;

    /// <summary>Set (under the journal lock) when someone waits for this entry to be durable.</summary>
    public bool FlushRequested;

    /// <summary>Whether the write in progress is a flush write (fixed when the write starts).</summary>
    public bool IsFlushWrite;

    /// <summary>The last_seq written into the header.</summary>
    public long WrittenLastSeq;

    /// <summary>Set by the buffer's final put (closed, no references left): the entry may be written.</summary>
    public volatile bool Ready;

    public long WriteStartTimestamp;

    /// <summary>The I/O the write pipeline waits on (observed by the next step for a fault).</summary>
    public Task? PendingIo;

    public void Reset(long seq, long prevSeq, int region, long regionOffset, long deviceOffset, int reserveCapacity, int reclaimCapacity)
    {
        Array.Clear(Data, 0, Math.Max(Length, JournalEntryFormat.HeaderSize + Used));
        Seq = seq;
        PrevSeq = prevSeq;
        Region = region;
        RegionOffset = regionOffset;
        DeviceOffset = deviceOffset;
        ReserveCapacity = reserveCapacity;
        ReclaimCapacity = reclaimCapacity;
        Used = 0;
        Length = 0;
        FlushRequested = false;
        IsFlushWrite = false;
        WrittenLastSeq = 0;
        Ready = false;
        PendingIo = null;
    }

    public override string ToString() => $"buffer {Index}: seq {Seq} at {DeviceOffset}, used {Used}/{ReserveCapacity}{(Ready ? ", ready" : "")}{(FlushRequested ? ", flush" : "")}";
}
