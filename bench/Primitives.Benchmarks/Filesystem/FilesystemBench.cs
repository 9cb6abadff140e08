using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;

namespace Primitives.Benchmarks.Filesystem;

/// <summary>Shared setup of the filesystem benchmarks: a formatted device (memory or an image file) and a mount.</summary>
internal static class FilesystemBench
{
    /// <summary>64 KiB nodes in 256 KiB buckets; a 256 MiB device.</summary>
    public static readonly FormatOptions Format = new() { BucketSize = 256 * 1024, BtreeNodeSize = 64 * 1024, JournalBuckets = 8, Force = true };

    public const long DeviceSize = 256L << 20;

    public static async Task<(BlockDevice Device, MountedFilesystem Fs, string? Dir)> MountAsync(string device)
    {
        string? dir = null;
        BlockDevice dev;
        if (device == "image")
        {
            dir = Directory.CreateTempSubdirectory("fs-bench-").FullName;
            string path = Path.Combine(dir, "bench.img");
            using (var f = File.Create(path))
            {
                f.SetLength(DeviceSize);
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
            Directory.Delete(dir, recursive: true);
        }
    }
}
