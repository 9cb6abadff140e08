namespace Primitives.Filesystem.Devices;

/// <summary>One write (or discard) a <see cref="RecordingBlockDevice"/> saw complete.</summary>
/// <param name="Index">Position among all recorded operations (0-based, in completion order).</param>
/// <param name="Epoch">The flush epoch it completed in: the number of flushes that had started before it completed.</param>
/// <param name="IndexInEpoch">Position among the writes of its epoch (0-based).</param>
/// <param name="Offset">Byte offset.</param>
/// <param name="Data">A copy of the data written; for a discard, <see langword="null"/>.</param>
/// <param name="Length">Length in bytes.</param>
public sealed record RecordedWrite(int Index, int Epoch, int IndexInEpoch, long Offset, byte[]? Data, long Length)
{
    /// <summary>Whether this was a discard (the range reads as zeros afterwards on the memory device).</summary>
    public bool IsDiscard => Data is null;
}
