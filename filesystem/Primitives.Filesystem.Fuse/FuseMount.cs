using System.Runtime.InteropServices;

using Primitives.Filesystem.Fuse.Native;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Fuse;

/// <summary>
/// A <see cref="PosixFilesystem"/> mounted through libfuse3's low-level API:
/// <see cref="Mount"/> creates the session and mounts, <see cref="Run"/> serves requests until the
/// filesystem is unmounted (by <see cref="RequestUnmount"/>, <c>fusermount3 -u</c> or <c>umount</c>),
/// <see cref="Dispose"/> tears the session down.
/// </summary>
/// <remarks>
/// Needs Linux x86_64, libfuse 3.14 (<c>fuse_version() == 314</c>: the struct layouts are that
/// version's, checked by a test against the headers) and /dev/fuse; <see cref="CheckAvailable"/>
/// says clearly what is missing. <see cref="RequestUnmount"/> is safe from any thread and from a
/// signal handler registration; the other members are not thread-safe.
/// </remarks>
public sealed unsafe class FuseMount : IDisposable
{
    private readonly string _mountpoint;
    private readonly FuseMountOptions _options;
    private GCHandle _self;
    private FuseLowlevelOps* _ops;
    private nint _session;
    private int _unmountRequested;
    private bool _mounted;
    private Thread? _loopThread;
    private uint? _connection;

    private FuseMount(PosixFilesystem fs, string mountpoint, FuseMountOptions options)
    {
        Filesystem = fs;
        _mountpoint = mountpoint;
        _options = options;
    }

    /// <summary>The filesystem served.</summary>
    public PosixFilesystem Filesystem { get; }

    /// <summary>The mount point (full path).</summary>
    public string Mountpoint => _mountpoint;

    /// <summary>Unexpected errors (not POSIX errors) met while serving, for tests and logs.</summary>
    public int UnexpectedErrors => Volatile.Read(ref _unexpectedErrors);

    private int _unexpectedErrors;

    /// <summary>Throws a clear <see cref="FuseUnavailableException"/> if FUSE cannot work here.</summary>
    /// <exception cref="FuseUnavailableException">Not Linux x86_64, no /dev/fuse, no libfuse3, or not version 3.14.</exception>
    public static void CheckAvailable()
    {
        if (!OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture != Architecture.X64)
        {
            throw new FuseUnavailableException($"FUSE mounts need Linux x86_64 (this is {RuntimeInformation.OSDescription}, {RuntimeInformation.ProcessArchitecture}): the struct layouts are x86_64's");
        }

        if (!File.Exists("/dev/fuse"))
        {
            throw new FuseUnavailableException("/dev/fuse is missing: load the fuse module (modprobe fuse) or run the container with --device /dev/fuse");
        }

        int version;
        try
        {
            version = FuseNative.Version();
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new FuseUnavailableException($"libfuse3 is not installed ({FuseNative.Library} not found): apt-get install -y fuse3 libfuse3-dev", e);
        }

        if (version != FuseNative.ExpectedVersion)
        {
            throw new FuseUnavailableException($"libfuse version {version} is installed, but this binding's struct layouts are for {FuseNative.ExpectedVersion} (libfuse 3.14)");
        }
    }

    /// <summary>Creates a FUSE session for <paramref name="fs"/> and mounts it at <paramref name="mountpoint"/> (an existing directory). Requests are served once <see cref="Run"/> or <see cref="Start"/> is called.</summary>
    /// <exception cref="ArgumentException">The mount point is not an existing directory.</exception>
    /// <exception cref="FuseUnavailableException">FUSE is unavailable, or the session or the mount failed.</exception>
    public static FuseMount Mount(PosixFilesystem fs, string mountpoint, FuseMountOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(fs);
        ArgumentException.ThrowIfNullOrEmpty(mountpoint);
        string full = Path.GetFullPath(mountpoint);
        if (!Directory.Exists(full))
        {
            throw new ArgumentException($"mount point {full} is not an existing directory", nameof(mountpoint));
        }

        CheckAvailable();
        var mount = new FuseMount(fs, full, options ?? new FuseMountOptions());
        try
        {
            mount.Create();
            return mount;
        }
        catch
        {
            mount.Dispose();
            throw;
        }
    }

    private void Create()
    {
        _self = GCHandle.Alloc(this);
        _ops = (FuseLowlevelOps*)NativeMemory.AllocZeroed((nuint)sizeof(FuseLowlevelOps));
        *_ops = FuseOperations.Table();

        string opts = $"fsname={_options.Source.Replace(",", "_", StringComparison.Ordinal)},subtype=primitives,default_permissions" + (_options.AllowOther ? ",allow_other" : string.Empty);
        string[] argv = ["fs", "-o", opts];
        var strings = new nint[argv.Length];
        nint argvBlock = Marshal.AllocHGlobal(sizeof(nint) * (argv.Length + 1));
        try
        {
            for (int i = 0; i < argv.Length; i++)
            {
                strings[i] = Marshal.StringToCoTaskMemUTF8(argv[i]);
                ((nint*)argvBlock)[i] = strings[i];
            }

            ((nint*)argvBlock)[argv.Length] = 0;
            // allocated = 0: libfuse must not free our argv (fuse_opt_free_args frees only allocated args).
            var args = new FuseArgs { Argc = argv.Length, Argv = argvBlock, Allocated = 0 };
            _session = FuseNative.SessionNew(&args, _ops, (nuint)sizeof(FuseLowlevelOps), GCHandle.ToIntPtr(_self));
        }
        finally
        {
            foreach (nint s in strings)
            {
                Marshal.FreeCoTaskMem(s);
            }

            Marshal.FreeHGlobal(argvBlock);
        }

        if (_session == 0)
        {
            throw new FuseUnavailableException($"fuse_session_new failed for options '{opts}' (libfuse printed why on standard error)");
        }

        if (FuseNative.SessionMount(_session, _mountpoint) != 0)
        {
            throw new FuseUnavailableException($"mounting at {_mountpoint} failed (libfuse printed why on standard error; as a non-root user fusermount3 must be installed)");
        }

        _mounted = true;
        _connection = FindConnection(_mountpoint);
        _readAheadPending = _options.ReadAheadKiB > 0 && _connection is not null ? 1 : 0;
    }

    private int _readAheadPending;

    /// <summary>
    /// Called by every request handler: the first request after INIT raises the readahead (the
    /// kernel sets it while processing INIT's reply, so setting it at mount time would be undone;
    /// any later request proves INIT is done).
    /// </summary>
    internal void OnRequest()
    {
        if (Volatile.Read(ref _readAheadPending) != 0 && Interlocked.Exchange(ref _readAheadPending, 0) != 0)
        {
            SetReadAhead(_connection!.Value, _options.ReadAheadKiB);
        }
    }

    /// <summary>Raises the mount's readahead (see <see cref="FuseMountOptions.ReadAheadKiB"/>); best effort.</summary>
    private void SetReadAhead(uint connection, int kib)
    {
        string path = $"/sys/class/bdi/0:{connection}/read_ahead_kb";
        try
        {
            File.WriteAllText(path, kib.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            (_options.ErrorLog ?? Console.Error).WriteLine($"fs: could not set the readahead ({path}: {e.Message}); sequential reads stay at the kernel's 128 KiB readahead");
        }
    }

    /// <summary>Serves requests on the calling thread until the filesystem is unmounted.</summary>
    /// <returns>libfuse's loop result: 0 after a clean unmount.</returns>
    public int Run()
    {
        ObjectDisposedException.ThrowIf(_session == 0, this);
        if (!_options.MultiThreaded)
        {
            return FuseNative.SessionLoop(_session);
        }

        nint cfg = FuseNative.LoopCfgCreate();
        try
        {
            FuseNative.LoopCfgSetCloneFd(cfg, 1);
            FuseNative.LoopCfgSetMaxThreads(cfg, (uint)Math.Max(1, _options.MaxThreads));
            return FuseNative.SessionLoopMt(_session, cfg);
        }
        finally
        {
            FuseNative.LoopCfgDestroy(cfg);
        }
    }

    /// <summary>Serves requests on a background thread; <see cref="Dispose"/> unmounts and waits for it.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(_session == 0, this);
        if (_loopThread is not null)
        {
            throw new InvalidOperationException("already serving");
        }

        _loopThread = new Thread(() => Run()) { IsBackground = true, Name = "fuse-loop" };
        _loopThread.Start();
    }

    /// <summary>
    /// Asks for the unmount: detaches the mount (lazy unmount). The loop keeps serving until the
    /// kernel ends the connection, which it does once no file on the mount is open any more; then
    /// <see cref="Run"/> returns. Safe from any thread; idempotent. (The session is deliberately not
    /// marked exited here: a loop that stops reading while files are still open leaves their
    /// processes waiting forever on requests nobody answers.)
    /// </summary>
    public void RequestUnmount()
    {
        if (Interlocked.Exchange(ref _unmountRequested, 1) != 0 || _session == 0)
        {
            return;
        }

        FuseNative.Umount2(_mountpoint, FuseNative.MntDetach);
    }

    /// <summary>
    /// Ends the FUSE connection now (fusectl's abort): requests in flight and to come fail with
    /// ENOTCONN, files still open on the mount become unusable, and the loop returns. For when a
    /// lazy unmount does not finish because something keeps a file open.
    /// </summary>
    /// <returns>Whether the connection was found and aborted.</returns>
    public bool Abort()
    {
        if (_connection is not uint id)
        {
            return false;
        }

        const string fusectl = "/sys/fs/fuse/connections";
        string abort = Path.Combine(fusectl, id.ToString(System.Globalization.CultureInfo.InvariantCulture), "abort");
        if (!File.Exists(abort) && Directory.Exists(fusectl))
        {
            FuseNative.MountFusectl(fusectl);
        }

        try
        {
            File.WriteAllText(abort, "1");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    /// <summary>
    /// Unmounts (if still mounted) and waits for a <see cref="Start"/>ed loop; if the loop has not
    /// ended after <see cref="FuseMountOptions.UnmountTimeout"/> (a file is still open), aborts the
    /// connection. Then frees the session.
    /// </summary>
    public void Dispose()
    {
        if (_loopThread is not null)
        {
            RequestUnmount();
            if (!_loopThread.Join(_options.UnmountTimeout))
            {
                (_options.ErrorLog ?? Console.Error).WriteLine($"fs: {_mountpoint} still busy {_options.UnmountTimeout.TotalSeconds} s after the unmount; aborting the FUSE connection");
                Abort();
            }

            _loopThread.Join();
            _loopThread = null;
        }

        if (_session != 0)
        {
            if (_mounted)
            {
                FuseNative.SessionUnmount(_session);
                _mounted = false;
            }

            FuseNative.SessionDestroy(_session);
            _session = 0;
        }

        if (_ops != null)
        {
            NativeMemory.Free(_ops);
            _ops = null;
        }

        if (_self.IsAllocated)
        {
            _self.Free();
        }
    }

    /// <summary>The FUSE connection number (the minor device number of the mount, as in /proc/self/mountinfo).</summary>
    private static uint? FindConnection(string mountpoint)
    {
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] f = line.Split(' ');
            if (f.Length > 4 && f[4] == mountpoint && f[2].Split(':') is [_, string minor]
                && uint.TryParse(minor, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out uint id))
            {
                return id;
            }
        }

        return null;
    }

    internal void ReportError(Exception e)
    {
        Interlocked.Increment(ref _unexpectedErrors);
        (_options.ErrorLog ?? Console.Error).WriteLine($"fs: unexpected error serving a request: {e}");
    }
}
