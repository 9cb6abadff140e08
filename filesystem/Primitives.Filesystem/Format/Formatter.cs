using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Format;

/// <summary>Creates a new, empty filesystem on a device.</summary>
public static class Formatter
{
    /// <summary>The fewest data buckets a filesystem may have.</summary>
    public const int MinDataBuckets = 4;

    /// <summary>
    /// Formats <paramref name="device"/>: checks it holds no other filesystem (unless
    /// <see cref="FormatOptions.Force"/>), zeroes bucket 0 (wiping other formats' signatures) and the
    /// journal buckets, runs
    /// <see cref="FormatOptions.Initialize"/>, flushes, then writes the superblock copies (last, so an
    /// interrupted format leaves no valid filesystem).
    /// </summary>
    /// <returns>The superblock as written (clean, sequence 1).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options do not fit each other or the device (too small, misaligned block size).</exception>
    /// <exception cref="ForeignFilesystemException">The device holds another filesystem and <see cref="FormatOptions.Force"/> is false.</exception>
    /// <exception cref="DeviceException">A read, write or flush failed.</exception>
    public static async ValueTask<Superblock> FormatAsync(BlockDevice device, FormatOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        Superblock superblock = Plan(device, options);

        if (!options.Force)
        {
            byte[] probe = new byte[Math.Min(FilesystemSignatures.ProbeLength, device.Size - (device.Size % device.LogicalBlockSize))];
            await device.ReadAsync(0, probe, cancellationToken).ConfigureAwait(false);
            if (FilesystemSignatures.Detect(probe) is { } foreign)
            {
                throw new ForeignFilesystemException(device.Name, $"{foreign}; refusing to format over it (set Force to overwrite)");
            }
        }

        // Bucket 0 (the superblock area, which also covers where other formats keep their
        // signatures) and the journal are zeroed: no stale signature or journal entry survives.
        byte[] zeros = new byte[Math.Min(superblock.BucketSize, 1 << 20)];
        foreach (long bucket in superblock.JournalBuckets.Prepend(0))
        {
            long start = superblock.BucketOffset(bucket);
            for (long done = 0; done < superblock.BucketSize; done += zeros.Length)
            {
                await device.WriteAsync(start + done, zeros, cancellationToken).ConfigureAwait(false);
            }
        }

        if (options.Initialize is { } initialize)
        {
            superblock = await initialize(device, superblock, cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException("FormatOptions.Initialize returned null");
        }

        await device.FlushAsync(cancellationToken).ConfigureAwait(false);
        return await SuperblockIO.WriteAsync(device, superblock, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The superblock a format with <paramref name="options"/> would write (sequence 0, before the write increments it), without touching the device.</summary>
    /// <exception cref="ArgumentException">The options do not fit each other or the device.</exception>
    public static Superblock Plan(BlockDevice device, FormatOptions options)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.JournalBuckets is < 1 or > 64)
        {
            throw new ArgumentException($"journal bucket count {options.JournalBuckets} is not in [1, 64]", nameof(options));
        }

        if (options.BlockSize % device.LogicalBlockSize != 0)
        {
            throw new ArgumentException($"block size {options.BlockSize} is not a multiple of {device.Name}'s logical block size {device.LogicalBlockSize}", nameof(options));
        }

        if (options.BucketSize > 0 && options.BucketSize % device.LogicalBlockSize != 0)
        {
            throw new ArgumentException($"bucket size {options.BucketSize} is not a multiple of {device.Name}'s logical block size {device.LogicalBlockSize}", nameof(options));
        }

        long bucketCount = options.BucketSize > 0 ? device.Size / options.BucketSize : 0;
        long firstData = 1 + options.JournalBuckets;
        long needed = firstData + MinDataBuckets + 1;
        if (bucketCount < needed)
        {
            throw new ArgumentException($"{device.Name} ({device.Size} bytes) holds {bucketCount} buckets of {options.BucketSize} bytes; this layout needs at least {needed} (superblock, {options.JournalBuckets} journal, {MinDataBuckets} data, backup)", nameof(options));
        }

        var superblock = new Superblock
        {
            Uuid = options.Uuid ?? Guid.NewGuid(),
            CreatedUtc = options.CreatedUtc ?? DateTimeOffset.UtcNow,
            Sequence = 0,
            BlockSize = options.BlockSize,
            BucketSize = options.BucketSize,
            BtreeNodeSize = options.BtreeNodeSize,
            BucketCount = bucketCount,
            FirstDataBucket = firstData,
            JournalBuckets = Enumerable.Range(1, options.JournalBuckets).Select(b => (long)b).ToArray(),
            IsClean = true,
        };
        superblock.Validate();
        return superblock;
    }
}
