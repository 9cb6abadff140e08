using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Tests.Posix;

/// <summary>The POSIX layer on the real engine, on a memory block device: mount, remount, crash.</summary>
internal sealed class EnginePosixFixture : IAsyncDisposable
{
    private EnginePosixFixture(MemoryBlockDevice device, MountedFilesystem mounted)
    {
        Device = device;
        Mounted = mounted;
        Fs = PosixFilesystem.Open(mounted.KeyValues, mounted.Data);
    }

    public MemoryBlockDevice Device { get; private set; }

    public MountedFilesystem Mounted { get; private set; }

    public PosixFilesystem Fs { get; private set; }

    // The geometry of the engine's workload tests (8 journal buckets of 256 KiB, 64 KiB nodes):
    // closer to the default than the 4 x 64 KiB test journal, which JournalPressureTests covers.
    public static FormatOptions Format { get; } = new() { BucketSize = 256 * 1024, BtreeNodeSize = 64 * 1024, JournalBuckets = 8 };

    public static async Task<EnginePosixFixture> CreateAsync(long size = 64 << 20)
    {
        var device = new MemoryBlockDevice(size);
        await FileSystem.FormatAsync(device, Format);
        return new EnginePosixFixture(device, await FileSystem.MountAsync(device, MountOptions.Default));
    }

    /// <summary>Clean unmount and mount again.</summary>
    public async Task RemountAsync()
    {
        await Mounted.UnmountAsync();
        await Mounted.DisposeAsync();
        Mounted = await FileSystem.MountAsync(Device, MountOptions.Default);
        Fs = PosixFilesystem.Open(Mounted.KeyValues, Mounted.Data);
    }

    /// <summary>Drops the mount without unmounting (nothing more reaches the device) and mounts again: journal replay.</summary>
    public async Task CrashAndRemountAsync()
    {
        await Mounted.DisposeAsync();
        Mounted = await FileSystem.MountAsync(Device, MountOptions.Default);
        Fs = PosixFilesystem.Open(Mounted.KeyValues, Mounted.Data);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Mounted.UnmountAsync();
        }
        finally
        {
            await Mounted.DisposeAsync();
        }
    }
}
