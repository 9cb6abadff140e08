namespace Primitives.Filesystem.Devices;

/// <summary>
/// One state a crash could leave the device in, as enumerated by
/// <see cref="RecordingBlockDevice.EnumerateCrashStates(int, int, bool)"/>: the image at the start of recording,
/// every write of the epochs before <see cref="Epoch"/>, and a subset of <see cref="Epoch"/>'s writes.
/// </summary>
public sealed class CrashState
{
    private readonly MemoryBlockDevice _snapshot;
    private readonly IReadOnlyList<RecordedWrite> _writes;

    internal CrashState(MemoryBlockDevice snapshot, IReadOnlyList<RecordedWrite> writes, int epoch, int epochWriteCount, int[] includedOfEpoch, string description, int tornWrite = -1, long tornBytes = 0)
    {
        _snapshot = snapshot;
        _writes = writes;
        Epoch = epoch;
        EpochWriteCount = epochWriteCount;
        IncludedOfEpoch = includedOfEpoch;
        Description = description;
        TornWriteOfEpoch = tornWrite;
        TornBytes = tornBytes;
    }

    /// <summary>
    /// The write of the epoch (index within the epoch) that this state holds only in part (a torn
    /// write: its first <see cref="TornBytes"/> bytes, whole logical blocks), or -1 when none is torn.
    /// </summary>
    public int TornWriteOfEpoch { get; }

    /// <summary>How many leading bytes of the torn write landed (0 when none is torn).</summary>
    public long TornBytes { get; }

    /// <summary>
    /// The epoch the crash happened in: flushes 1..<see cref="Epoch"/> had started, and every write
    /// they cover (those completed before the flush started) is in this state. So anything a test
    /// saw acknowledged durable when <see cref="RecordingBlockDevice.FlushCount"/> was at least
    /// <c>f</c> must survive in every state with <see cref="Epoch"/> &gt;= <c>f</c>.
    /// </summary>
    public int Epoch { get; }

    /// <summary>The number of flushes whose writes this state holds in full (equal to <see cref="Epoch"/>).</summary>
    public int FlushesCovered => Epoch;

    /// <summary>How many writes the epoch of the crash had.</summary>
    public int EpochWriteCount { get; }

    /// <summary>Which of the epoch's writes (indices within the epoch, ascending) this state includes.</summary>
    public IReadOnlyList<int> IncludedOfEpoch { get; }

    /// <summary>What this state is, e.g. "epoch 2: prefix 3 of 5 writes" or "epoch 2: subset {0,2,4} of 5 writes".</summary>
    public string Description { get; }

    /// <summary>Builds the state as a fresh device: a copy of the starting image with the state's writes applied in order.</summary>
    public MemoryBlockDevice Materialize()
    {
        MemoryBlockDevice device = _snapshot.Clone($"crash[{Description}]");
        var included = new bool[EpochWriteCount];
        foreach (int i in IncludedOfEpoch)
        {
            included[i] = true;
        }

        foreach (RecordedWrite write in _writes)
        {
            if (write.Epoch < Epoch || (write.Epoch == Epoch && included[write.IndexInEpoch]))
            {
                Apply(device, write);
            }
            else if (write.Epoch == Epoch && write.IndexInEpoch == TornWriteOfEpoch)
            {
                Apply(device, write, TornBytes);
            }
        }

        return device;
    }

    /// <inheritdoc />
    public override string ToString() => Description;

    private static void Apply(MemoryBlockDevice device, RecordedWrite write, long length = -1)
    {
        int n = (int)(length < 0 ? write.Length : length);
        if (write.Data is { } data)
        {
            device.Write(write.Offset, data.AsSpan(0, n));
        }
        else
        {
            device.Write(write.Offset, new byte[n]); // a discard reads back as zeros
        }
    }
}
