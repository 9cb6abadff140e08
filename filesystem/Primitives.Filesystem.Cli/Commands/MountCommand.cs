using System.CommandLine;
using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Fuse;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary>
/// <c>fs mount DEVICE-OR-IMAGE MOUNTPOINT [--foreground] [--memory]</c>: serves the filesystem on a
/// device or image through FUSE. Without <c>--foreground</c> it starts itself again in the
/// background (own session, output to a log file) and returns once the mount is live.
/// </summary>
public static class MountCommand
{
    /// <summary>How long a signalled mount waits for open files to close before it aborts the connection.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(10);

    /// <summary>How long the background start waits for the mount to appear.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates the <c>mount</c> command.</summary>
    public static Command Create()
    {
        var device = new Argument<string>("device") { Description = "The formatted device or image file to mount (with --memory: only a name for /proc/mounts)." };
        var mountpoint = new Argument<string>("mountpoint") { Description = "An existing directory to mount on." };
        var foreground = new Option<bool>("--foreground", "-f") { Description = "Serve in this process until unmounted (fusermount3 -u, or SIGINT/SIGTERM)." };
        var memory = new Option<bool>("--memory") { Description = "Serve an empty in-memory filesystem instead of the device (nothing survives the unmount)." };
        var singleThreaded = new Option<bool>("--single-threaded") { Description = "Serve requests on one thread (fuse_session_loop)." };
        var log = new Option<string?>("--log") { Description = "Background mode: where the mount process writes its output (default: a file in the temp directory)." };
        var command = new Command("mount", "Mount a filesystem through FUSE (libfuse 3.14).")
        {
            device, mountpoint, foreground, memory, singleThreaded, log,
        };
        command.SetAction(parse =>
        {
            string dev = parse.GetRequiredValue(device);
            string dir = Path.GetFullPath(parse.GetRequiredValue(mountpoint));
            try
            {
                return parse.GetValue(foreground)
                    ? RunForeground(dev, dir, parse.GetValue(memory), parse.GetValue(singleThreaded))
                    : StartBackground(dir, parse.GetValue(log));
            }
            catch (Exception e) when (e is FilesystemException or ArgumentException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"fs mount: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static int RunForeground(string device, string mountpoint, bool memory, bool singleThreaded)
    {
        FuseMount.CheckAvailable();
        if (!Directory.Exists(mountpoint))
        {
            throw new ArgumentException($"mount point {mountpoint} is not an existing directory");
        }

        MountBackend backend;
        if (memory)
        {
            backend = MountBackend.Memory();
        }
        else
        {
            backend = OpenEngine(device);
        }

        try
        {
            var fs = PosixFilesystem.Open(backend.Kv, backend.Data, backend.Space);
            using var mount = FuseMount.Mount(fs, mountpoint, new FuseMountOptions { Source = memory ? "primitives-memory" : Path.GetFullPath(device), MultiThreaded = !singleThreaded });
            using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
            using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
            using var sighup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, Stop);
            Console.WriteLine($"fs: serving {backend.Description} at {mountpoint} (pid {Environment.ProcessId}); unmount with fusermount3 -u {mountpoint}");
            int rc = mount.Run();
            Console.WriteLine($"fs: unmounted {mountpoint} (loop exit {rc}); flushing");
            fs.Sync();
            return rc == 0 ? 0 : 1;

            void Stop(PosixSignalContext context)
            {
                context.Cancel = true;
                Console.WriteLine($"fs: {context.Signal}: unmounting {mountpoint}");
                mount.RequestUnmount();
                // A file kept open on the mount would keep the lazy unmount (and this process) alive:
                // give it a grace period, then end the connection.
                _ = Task.Delay(AbortGrace).ContinueWith(_ =>
                {
                    Console.WriteLine($"fs: {mountpoint} still busy {AbortGrace.TotalSeconds} s after {context.Signal}; aborting the FUSE connection");
                    mount.Abort();
                }, TaskScheduler.Default);
            }
        }
        finally
        {
            backend.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }

    /// <summary>Opens the device or image exclusively and mounts the engine on it (journal replay after an unclean shutdown).</summary>
    internal static MountBackend OpenEngine(string path)
    {
        var device = CommandRunner.OpenDevice(path);
        MountedFilesystem mounted;
        try
        {
            mounted = FileSystem.MountAsync(device, MountOptions.Default).GetAwaiter().GetResult();
        }
        catch
        {
            device.Dispose();
            throw;
        }

        var report = mounted.Mount;
        return new MountBackend(mounted.KeyValues, mounted.Data, new EngineSpace(mounted.Allocator), $"{path} (engine; mount: {report})", async () =>
        {
            try
            {
                await mounted.UnmountAsync().ConfigureAwait(false);
            }
            finally
            {
                await mounted.DisposeAsync().ConfigureAwait(false);
                device.Dispose();
            }
        });
    }

    /// <summary>statfs from the allocator: the space user data may take (the metadata reserve excluded) and what is left of it.</summary>
    private sealed class EngineSpace(BucketAllocator allocator) : IFilesystemSpace
    {
        public long TotalBytes { get; } = Math.Max(0, allocator.DataBucketCount - allocator.ReserveBuckets) * (long)allocator.BucketSize;

        public long FreeBytes => allocator.AvailableUserBytes;
    }

    /// <summary>Starts this command again with --foreground in its own session and waits until the mount is live.</summary>
    private static int StartBackground(string mountpoint, string? log)
    {
        if (IsMounted(mountpoint))
        {
            throw new ArgumentException($"{mountpoint} is already a mount point");
        }

        log ??= Path.Combine(Path.GetTempPath(), $"fs-mount-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Environment.ProcessId}.log");
        string self = Environment.ProcessPath ?? throw new FilesystemException("cannot find this program's path to start it in the background");
        var args = new List<string>();
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            args.Add(Assembly.GetEntryAssembly()!.Location);
        }

        args.AddRange(Environment.GetCommandLineArgs().Skip(1));
        args.Add("--foreground");

        // sh redirects the output to the log and detaches stdin; setsid gives the mount its own
        // session, so the caller's terminal and process group signals do not reach it.
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("if command -v setsid >/dev/null; then exec setsid \"$@\" >>\"$FS_MOUNT_LOG\" 2>&1 </dev/null; else exec \"$@\" >>\"$FS_MOUNT_LOG\" 2>&1 </dev/null; fi");
        psi.ArgumentList.Add("sh");
        psi.ArgumentList.Add(self);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["FS_MOUNT_LOG"] = log;
        using var child = Process.Start(psi) ?? throw new FilesystemException("could not start the mount process");
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < StartTimeout)
        {
            if (IsMounted(mountpoint))
            {
                Console.WriteLine($"fs: mounted at {mountpoint} (pid {child.Id}, log {log})");
                return 0;
            }

            if (child.WaitForExit(100))
            {
                Console.Error.WriteLine($"fs mount: the mount process exited with {child.ExitCode}; its log ({log}):");
                Console.Error.WriteLine(File.Exists(log) ? File.ReadAllText(log) : "(no log)");
                return child.ExitCode == 0 ? 1 : child.ExitCode;
            }
        }

        Console.Error.WriteLine($"fs mount: {mountpoint} was not mounted after {StartTimeout.TotalSeconds} s (pid {child.Id}, log {log})");
        return 1;
    }

    /// <summary>Whether /proc/self/mountinfo lists <paramref name="mountpoint"/> as a primitives FUSE mount.</summary>
    internal static bool IsMounted(string mountpoint)
    {
        string escaped = mountpoint.Replace("\\", "\\134", StringComparison.Ordinal).Replace(" ", "\\040", StringComparison.Ordinal)
            .Replace("\t", "\\011", StringComparison.Ordinal).Replace("\n", "\\012", StringComparison.Ordinal);
        foreach (string line in File.ReadLines("/proc/self/mountinfo"))
        {
            string[] fields = line.Split(' ');
            int dash = Array.IndexOf(fields, "-");
            if (fields.Length > 4 && fields[4] == escaped && dash > 0 && dash + 1 < fields.Length && fields[dash + 1] == "fuse.primitives")
            {
                return true;
            }
        }

        return false;
    }
}
