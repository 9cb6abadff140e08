namespace Primitives.Filesystem.Fsck;

/// <summary>How fsck runs.</summary>
public sealed record FsckOptions
{
    /// <summary>Check only: never write to the device (the default).</summary>
    public static FsckOptions CheckOnly { get; } = new();

    /// <summary>Repair what is found (the device is mounted read-write, repaired, unmounted cleanly).</summary>
    public bool Repair { get; init; }
}
