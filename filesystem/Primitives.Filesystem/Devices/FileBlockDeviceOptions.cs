namespace Primitives.Filesystem.Devices;

/// <summary>How <see cref="FileBlockDevice.Open"/> opens a block device or an image file.</summary>
public sealed record FileBlockDeviceOptions
{
    /// <summary>The default bound on concurrent reads and writes.</summary>
    public const int DefaultMaxInFlight = 64;

    /// <summary>Open read-only (O_RDONLY): writes, flushes of writes and discards fail. Default false.</summary>
    public bool ReadOnly { get; init; }

    /// <summary>Bypass the page cache (O_DIRECT). Default true. Unaligned caller buffers are bounced through aligned ones.</summary>
    public bool DirectIo { get; init; } = true;

    /// <summary>
    /// Open exclusively (default true): O_EXCL on a block device (a second exclusive open, or a
    /// mounted device, fails with EBUSY), an exclusive non-blocking flock on an image file.
    /// </summary>
    public bool Exclusive { get; init; } = true;

    /// <summary>The most reads/writes in flight at once; further calls wait. Default <see cref="DefaultMaxInFlight"/>.</summary>
    public int MaxInFlight { get; init; } = DefaultMaxInFlight;

    /// <summary>
    /// The logical block size of an image file (a block device reports its own with BLKSSZGET).
    /// A power of two from 512 to 4096; default 512, like a loop device.
    /// </summary>
    public int ImageLogicalBlockSize { get; init; } = 512;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> if a value is out of range.</summary>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxInFlight, 1, nameof(MaxInFlight));
        if (ImageLogicalBlockSize is < 512 or > 4096 || (ImageLogicalBlockSize & (ImageLogicalBlockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ImageLogicalBlockSize), ImageLogicalBlockSize, "must be a power of two from 512 to 4096");
        }
    }
}
