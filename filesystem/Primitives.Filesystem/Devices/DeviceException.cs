namespace Primitives.Filesystem.Devices;

/// <summary>
/// An I/O error reported by a block device: which device, which operation, at which byte offset,
/// and the operating system's error number (errno) when there is one.
/// </summary>
public class DeviceException : FilesystemException
{
    /// <summary>Creates the exception from its parts; the message names all of them.</summary>
    /// <param name="device">The device's path or name.</param>
    /// <param name="operation">The operation that failed.</param>
    /// <param name="offset">The byte offset of the operation, or -1 when it has none (open, flush).</param>
    /// <param name="errno">The operating system error number, or 0 when the error did not come from the OS.</param>
    /// <param name="detail">What went wrong, in words.</param>
    /// <param name="innerException">The error that caused this one, or <see langword="null"/>.</param>
    public DeviceException(string device, DeviceOperation operation, long offset, int errno, string detail, Exception? innerException = null)
        : base(Describe(device, operation, offset, errno, detail), innerException!)
    {
        Device = device;
        Operation = operation;
        Offset = offset;
        Errno = errno;
    }

    /// <summary>The device's path or name.</summary>
    public string Device { get; }

    /// <summary>The operation that failed.</summary>
    public DeviceOperation Operation { get; }

    /// <summary>The byte offset of the failed operation, or -1 when it has none.</summary>
    public long Offset { get; }

    /// <summary>The operating system error number (errno), or 0.</summary>
    public int Errno { get; }

    private static string Describe(string device, DeviceOperation operation, long offset, int errno, string detail)
    {
        string at = offset >= 0 ? $" at offset {offset}" : string.Empty;
        string err = errno != 0 ? $" (errno {errno}: {Native.LinuxNative.StrError(errno)})" : string.Empty;
        return $"{operation} on {device}{at} failed{err}: {detail}";
    }
}
