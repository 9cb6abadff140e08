namespace Primitives.Filesystem.Format;

/// <summary>The device does not hold this filesystem: another filesystem's signature, or no known signature at all.</summary>
public sealed class ForeignFilesystemException : FilesystemException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="device">The device's name.</param>
    /// <param name="detected">What was found instead (e.g. "ext2/3/4", "an unknown magic 0x..."), in words.</param>
    public ForeignFilesystemException(string device, string detected)
        : base($"{device} does not hold a Primitives filesystem: found {detected}")
    {
        Device = device;
        Detected = detected;
    }

    /// <summary>The device's name.</summary>
    public string Device { get; }

    /// <summary>What was found instead.</summary>
    public string Detected { get; }
}
