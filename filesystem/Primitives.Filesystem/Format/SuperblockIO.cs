using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Format;

/// <summary>
/// Reads and writes the superblock copies: the layout block at 3584, the primary at 4096 and a
/// backup at the start of the last bucket.
/// </summary>
/// <remarks>
/// Reading writes nothing (it may run before the filesystem is claimed). Writing is ordered so a
/// crash leaves at least one valid copy: the primary (with the layout), a flush, the backup, a flush.
/// </remarks>
public static class SuperblockIO
{
    /// <summary>The region rewritten with the primary: [0, 8192) (the layout block and the primary; bytes below 3584 are preserved).</summary>
    private const int HeadLength = 8192;

    /// <summary>Candidate bucket sizes when the layout block is unreadable: 4 KiB to 64 MiB.</summary>
    private const int MinBucketShift = 12;
    private const int MaxBucketShift = 26;

    /// <summary>
    /// Reads and validates the superblock: the primary, else (when the primary is damaged but the
    /// device is recognisably ours) the newest valid backup, saying so in
    /// <see cref="SuperblockReadResult.Problems"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="device"/> is null.</exception>
    /// <exception cref="ForeignFilesystemException">The device holds another format, or nothing recognisable.</exception>
    /// <exception cref="UnsupportedFormatVersionException">A copy was written by a newer format version.</exception>
    /// <exception cref="ChecksumMismatchException">The primary's checksum is wrong and no backup is valid (reports the primary's offset).</exception>
    /// <exception cref="CorruptStructureException">The primary is otherwise invalid (including a geometry larger than the device) and no backup is valid.</exception>
    /// <exception cref="DeviceException">A read failed.</exception>
    public static async ValueTask<SuperblockReadResult> ReadAsync(BlockDevice device, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (device.Size < HeadLength + Superblock.Size)
        {
            throw new ForeignFilesystemException(device.Name, $"a device of only {device.Size} bytes (too small for this filesystem)");
        }

        byte[] head = new byte[HeadLength];
        await device.ReadAsync(0, head, cancellationToken).ConfigureAwait(false);
        Memory<byte> primaryBytes = head.AsMemory(SuperblockLayout.PrimaryOffset, Superblock.Size);
        Memory<byte> layoutBytes = head.AsMemory(SuperblockLayout.Offset, SuperblockLayout.Size);
        bool primaryMagic = Superblock.HasMagic(primaryBytes.Span);
        bool layoutMagic = SuperblockLayout.HasMagic(layoutBytes.Span);
        var problems = new List<string>();

        if (!primaryMagic && !layoutMagic)
        {
            // No sign of ours at all: never go looking for stale backups on someone else's device.
            byte[] probe = new byte[Math.Min(FilesystemSignatures.ProbeLength, device.Size - (device.Size % device.LogicalBlockSize))];
            await device.ReadAsync(0, probe, cancellationToken).ConfigureAwait(false);
            string detected = FilesystemSignatures.Detect(probe)
                ?? (probe.AsSpan().IndexOfAnyExcept((byte)0) < 0 ? "a blank device (all zeros where the superblock belongs)" : $"unknown contents (magic '{Superblock.Printable(primaryBytes.Span[..8])}' at {SuperblockLayout.PrimaryOffset})");
            throw new ForeignFilesystemException(device.Name, detected);
        }

        CorruptStructureException primaryError;
        try
        {
            Superblock primary = Superblock.Decode(primaryBytes.Span, SuperblockLayout.PrimaryOffset, device.Name);
            CheckFitsDevice(primary, SuperblockLayout.PrimaryOffset, device);
            if (!layoutMagic)
            {
                problems.Add($"layout block at {SuperblockLayout.Offset} is missing (bad magic); the primary is valid");
            }

            return new SuperblockReadResult(primary, SuperblockLayout.PrimaryOffset, false, problems);
        }
        catch (CorruptStructureException e)
        {
            primaryError = e; // includes ChecksumMismatchException; a newer version propagates as is
        }

        problems.Add($"primary superblock at {SuperblockLayout.PrimaryOffset} is damaged: {primaryError.Message}");

        IEnumerable<long> candidates;
        try
        {
            candidates = SuperblockLayout.Decode(layoutBytes.Span).Where(o => o != SuperblockLayout.PrimaryOffset).ToArray();
        }
        catch (CorruptStructureException e)
        {
            problems.Add($"layout block is damaged too ({e.Message}); probing the last bucket for bucket sizes 4 KiB to 64 MiB");
            candidates = ProbeOffsets(device.Size);
        }

        Superblock? best = null;
        long bestOffset = -1;
        foreach (long offset in candidates.Distinct())
        {
            if (offset < 0 || offset % device.LogicalBlockSize != 0 || offset > device.Size - Superblock.Size)
            {
                problems.Add($"backup offset {offset} is outside the device; skipped");
                continue;
            }

            byte[] copy = new byte[Superblock.Size];
            await device.ReadAsync(offset, copy, cancellationToken).ConfigureAwait(false);
            if (!Superblock.HasMagic(copy))
            {
                continue; // probing hits non-superblock data by design; a listed copy without magic is reported below if none is found
            }

            try
            {
                Superblock backup = Superblock.Decode(copy, offset, device.Name);
                CheckFitsDevice(backup, offset, device);
                if (best is null || backup.Sequence > best.Sequence)
                {
                    best = backup;
                    bestOffset = offset;
                }
            }
            catch (CorruptStructureException e)
            {
                problems.Add($"backup superblock at {offset} is damaged too: {e.Message}");
            }
        }

        if (best is null)
        {
            throw primaryError;
        }

        problems.Add($"using the backup superblock at {bestOffset} (sequence {best.Sequence}); the next superblock write repairs the primary");
        return new SuperblockReadResult(best, bestOffset, true, problems);
    }

    /// <summary>
    /// Writes every copy of <paramref name="superblock"/> with its <see cref="Superblock.Sequence"/>
    /// incremented: the layout block and the primary, a flush, the backup, a flush.
    /// </summary>
    /// <returns>The superblock as written (with the new sequence number).</returns>
    /// <exception cref="ArgumentException">The superblock is invalid or does not fit the device.</exception>
    /// <exception cref="DeviceException">A write or flush failed.</exception>
    public static async ValueTask<Superblock> WriteAsync(BlockDevice device, Superblock superblock, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(superblock);
        Superblock written = superblock with { Sequence = superblock.Sequence + 1 };
        written.Validate();
        if (written.BucketCount * written.BucketSize > device.Size)
        {
            throw new ArgumentException($"the superblock describes {written.BucketCount} buckets of {written.BucketSize} bytes, more than {device.Name}'s {device.Size} bytes", nameof(superblock));
        }

        if (HeadLength % device.LogicalBlockSize != 0)
        {
            throw new ArgumentException($"{device.Name}'s logical block size {device.LogicalBlockSize} does not divide the {HeadLength}-byte superblock region", nameof(device));
        }

        byte[] block = new byte[Superblock.Size];
        written.Encode(block);

        byte[] head = new byte[HeadLength];
        await device.ReadAsync(0, head, cancellationToken).ConfigureAwait(false); // keep bytes [0, 3584) as they are
        SuperblockLayout.Encode([SuperblockLayout.PrimaryOffset, written.BackupOffset], head.AsSpan(SuperblockLayout.Offset));
        block.CopyTo(head.AsSpan(SuperblockLayout.PrimaryOffset));
        await device.WriteAsync(0, head, cancellationToken).ConfigureAwait(false);
        await device.FlushAsync(cancellationToken).ConfigureAwait(false);
        await device.WriteAsync(written.BackupOffset, block, cancellationToken).ConfigureAwait(false);
        await device.FlushAsync(cancellationToken).ConfigureAwait(false);
        return written;
    }

    /// <summary>Geometry against the device: a superblock copied from a larger device, or a truncated image, is corrupt here.</summary>
    private static void CheckFitsDevice(Superblock superblock, long offset, BlockDevice device)
    {
        if (superblock.BucketCount * superblock.BucketSize > device.Size)
        {
            throw new CorruptStructureException(Superblock.StructureName, offset, $"describes {superblock.BucketCount} buckets of {superblock.BucketSize} bytes ({superblock.BucketCount * superblock.BucketSize} bytes), but {device.Name} has only {device.Size}");
        }

        if (superblock.BlockSize % device.LogicalBlockSize != 0)
        {
            throw new CorruptStructureException(Superblock.StructureName, offset, $"block size {superblock.BlockSize} is not a multiple of {device.Name}'s logical block size {device.LogicalBlockSize}");
        }
    }

    private static IEnumerable<long> ProbeOffsets(long deviceSize)
    {
        for (int shift = MinBucketShift; shift <= MaxBucketShift; shift++)
        {
            long bucketSize = 1L << shift;
            long buckets = deviceSize / bucketSize;
            if (buckets >= 3)
            {
                yield return (buckets - 1) * bucketSize;
            }
        }
    }
}
