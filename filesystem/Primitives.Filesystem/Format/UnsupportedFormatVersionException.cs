namespace Primitives.Filesystem.Format;

/// <summary>The filesystem was written by a newer format version than this code understands; nothing is written to it.</summary>
public sealed class UnsupportedFormatVersionException : FilesystemException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="device">The device's name.</param>
    /// <param name="version">The version found on disk.</param>
    /// <param name="supported">The newest version this code reads.</param>
    public UnsupportedFormatVersionException(string device, int version, int supported)
        : base($"{device} has format version {version}; this code supports versions up to {supported}")
    {
        Version = version;
        Supported = supported;
    }

    /// <summary>The version found on disk.</summary>
    public int Version { get; }

    /// <summary>The newest version this code reads.</summary>
    public int Supported { get; }
}
