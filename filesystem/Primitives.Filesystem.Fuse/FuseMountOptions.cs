namespace Primitives.Filesystem.Fuse;

/// <summary>How <see cref="FuseMount"/> mounts and serves.</summary>
public sealed class FuseMountOptions
{
    /// <summary>The name shown as the mount's source in /proc/mounts (fsname).</summary>
    public string Source { get; init; } = "primitives";

    /// <summary>Serve requests on several threads (libfuse's multi-threaded loop with a cloned fd per thread).</summary>
    public bool MultiThreaded { get; init; } = true;

    /// <summary>The most worker threads of the multi-threaded loop.</summary>
    public int MaxThreads { get; init; } = Math.Max(2, Environment.ProcessorCount * 2);

    /// <summary>Let users other than the mounting one use the mount (needs root or user_allow_other).</summary>
    public bool AllowOther { get; init; } = true;

    /// <summary>How long <see cref="FuseMount.Dispose"/> waits for the lazy unmount before it aborts the connection.</summary>
    public TimeSpan UnmountTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The kernel's readahead for the mount, in KiB (0: leave the kernel's 128 KiB). The kernel caps
    /// what a FUSE server may ask for at mount time to its default, so it is raised afterwards through
    /// the mount's <c>/sys/class/bdi/0:N/read_ahead_kb</c> (needs root; otherwise left as it is and
    /// reported to <see cref="ErrorLog"/>). 4 MiB doubled sequential reads of a 512 MiB file (366 to
    /// 728 MB/s, measured with dd on this machine).
    /// </summary>
    public int ReadAheadKiB { get; init; } = 4096;

    /// <summary>Where unexpected errors (not POSIX errors) are reported; standard error by default.</summary>
    public TextWriter? ErrorLog { get; init; }
}
