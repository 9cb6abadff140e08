namespace Primitives.Filesystem.Devices;

/// <summary>The kind of device operation an error or a fault-injection rule refers to.</summary>
public enum DeviceOperation
{
    /// <summary>Opening the device (open(2), locking, probing its size).</summary>
    Open,

    /// <summary>A read.</summary>
    Read,

    /// <summary>A write.</summary>
    Write,

    /// <summary>A flush (fdatasync).</summary>
    Flush,

    /// <summary>A discard (BLKDISCARD, or a hole punched in an image file).</summary>
    Discard,

    /// <summary>An ioctl that queries the device (size, block sizes).</summary>
    Query,
}
