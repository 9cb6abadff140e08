using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;

namespace Primitives.Benchmarks.Filesystem;

/// <summary>Shared setup of the filesystem benchmarks: a formatted device (memory, an image file, or a loop device over one) and a mount.</summary>
internal static class FilesystemBench
{
    /// <summary>64 KiB nodes in 256 KiB buckets; a 256 MiB device.</summary>
    public static readonly FormatOptions Format = new() { BucketSize = 256 * 1024, BtreeNodeSize = 64 * 1024, JournalBuckets = 8, Force = true };

    public const long DeviceSize = 256L << 20;

    /// <summary>Formats and mounts <paramref name="device"/>: "memory", "image" (a sparse file, O_DIRECT) or "loop" (a loop device over such a file; needs root).</summary>
    public static async Task<(BlockDevice Device, MountedFilesystem Fs, string? Dir)> MountAsync(string device)
    {
        string? dir = null;
        BlockDevice dev;
        if (device is "image" or "loop")
        {
            dir = Directory.CreateTempSubdirectory("fs-bench-").FullName;
            string path = Path.Combine(dir, "bench.img");
            using (var f = File.Create(path))
            {
                f.SetLength(DeviceSize);
            }

            if (device == "loop")
            {
                path = AttachLoop(path);
                File.WriteAllText(Path.Combine(dir, "loop"), path);
            }

            dev = FileBlockDevice.Open(path);
        }
        else
        {
            dev = new MemoryBlockDevice(DeviceSize);
        }

        await FileSystem.FormatAsync(dev, Format);
        var fs = await FileSystem.MountAsync(dev, MountOptions.Default);
        return (dev, fs, dir);
    }

    public static async Task DisposeAsync(BlockDevice device, MountedFilesystem fs, string? dir)
    {
        await fs.UnmountAsync();
        await fs.DisposeAsync();
        device.Dispose();
        if (dir is not null)
        {
            string loop = Path.Combine(dir, "loop");
            if (File.Exists(loop))
            {
                Losetup($"-d {File.ReadAllText(loop)}");
            }

            Directory.Delete(dir, recursive: true);
        }
    }

    private static string AttachLoop(string image)
    {
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/loop-control"))
        {
            throw new InvalidOperationException("the loop-device benchmark needs Linux with the loop driver (/dev/loop-control)");
        }

        string path = Losetup($"-f --show {image}").Trim();
        return path.StartsWith("/dev/loop", StringComparison.Ordinal)
            ? path
            : throw new InvalidOperationException($"losetup printed '{path}', not a loop device (the loop-device benchmark needs root)");
    }

    private static string Losetup(string arguments)
    {
        using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("losetup", arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        }) ?? throw new InvalidOperationException("could not start losetup");
        string output = process.StandardOutput.ReadToEnd();
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        return process.ExitCode == 0
            ? output
            : throw new InvalidOperationException($"losetup {arguments} failed ({process.ExitCode}): {error.Trim()} (the loop-device benchmark needs root)");
    }
}
