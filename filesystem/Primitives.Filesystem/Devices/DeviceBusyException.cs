namespace Primitives.Filesystem.Devices;

/// <summary>
/// The device is already open exclusively (by this or another process, or mounted): a block
/// device opened with O_EXCL returned EBUSY, or an image file's exclusive lock is held.
/// </summary>
public sealed class DeviceBusyException : DeviceException
{
    /// <summary>Creates the exception for <paramref name="device"/>.</summary>
    /// <param name="device">The device's path.</param>
    /// <param name="errno">EBUSY (16) from open(2), or EWOULDBLOCK (11) from flock(2).</param>
    /// <param name="detail">Who holds it, in words.</param>
    public DeviceBusyException(string device, int errno, string detail)
        : base(device, DeviceOperation.Open, -1, errno, detail)
    {
    }
}
