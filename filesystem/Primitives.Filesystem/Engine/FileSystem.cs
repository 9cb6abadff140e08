using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Engine;

/// <summary>
/// Formats and mounts the sample filesystem on a <see cref="BlockDevice"/> (an image file, a loop
/// device, memory). See <see cref="MountedFilesystem"/> for what a mount offers.
/// </summary>
/// <remarks>Thread safety: the methods are static and independent; one device must not be mounted twice at once (real devices are opened exclusively).</remarks>
public static class FileSystem
{
    /// <summary>Largest journal entry (a quarter of a 256 KiB journal bucket).</summary>
    private const int MaxJournalEntry = 64 * 1024;

    /// <summary>
    /// Writes a new, empty filesystem: refuses a device holding another filesystem unless
    /// <see cref="Format.FormatOptions.Force"/>, zeroes the journal, writes empty btrees and every
    /// bucket's alloc key, and finally the superblock copies (clean, with the roots).
    /// </summary>
    /// <returns>The geometry written.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The options do not fit each other or the device.</exception>
    /// <exception cref="FilesystemException">Another filesystem is there (<see cref="ForeignFilesystemException"/>), or a device error.</exception>
    public static async Task<FormatResult> FormatAsync(BlockDevice device, Format.FormatOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.BtreeNodeSize > options.BucketSize)
        {
            throw new ArgumentException($"btree node size {options.BtreeNodeSize} exceeds the bucket size {options.BucketSize}", nameof(options));
        }

        Superblock written = await Formatter.FormatAsync(device, options with { Initialize = MountedFilesystem.InitializeAsync }, cancellationToken).ConfigureAwait(false);
        return new FormatResult(written.Uuid, written.BucketSize, written.BucketCount, written.JournalBuckets.Count, written.BtreeNodeSize, written.BlockSize);
    }

    /// <summary>
    /// Mounts the filesystem: reads and validates the superblock and the journal (nothing written
    /// yet), loads the alloc keys, marks the superblock unclean, replays the journal into the btrees,
    /// corrects the allocator after an unclean shutdown, and starts the discard worker and the
    /// background flusher. Every step is undone in reverse if a later one fails.
    /// </summary>
    /// <returns>The mounted filesystem; unmount it with <see cref="MountedFilesystem.UnmountAsync"/> (disposing without unmounting is an unclean shutdown).</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="FilesystemException">Not this filesystem, corrupt structures (typed: <see cref="ForeignFilesystemException"/>, <see cref="CorruptStructureException"/>, <see cref="ChecksumMismatchException"/>...), or a device error.</exception>
    public static Task<MountedFilesystem> MountAsync(BlockDevice device, MountOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        if (options.FlushInterval < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.FlushInterval, "FlushInterval must not be negative");
        }

        return MountedFilesystem.OpenAsync(device, options, cancellationToken);
    }

    internal static JournalRegion[] JournalRegions(Superblock superblock)
        => superblock.JournalBuckets.Select(b => new JournalRegion(superblock.BucketOffset(b), superblock.BucketSize)).ToArray();

    internal static ulong JournalIdOf(Superblock superblock) => BitConverter.ToUInt64(superblock.Uuid.ToByteArray(), 0);

    internal static JournalOptions JournalOptionsFor(Superblock superblock, MountOptions mount, Action<JournalEntryAppender> hook)
    {
        int maxEntry = Math.Min(MaxJournalEntry, superblock.BucketSize / 4);
        return new JournalOptions
        {
            JournalId = JournalIdOf(superblock),
            MaxEntrySize = maxEntry,
            HookReserveBytes = Math.Clamp(maxEntry / 4, 1024, 16 * 1024),
            EntryWriteHook = hook,
            ThrowWhenFrozen = !mount.WaitWhenFrozen,
        };
    }
}
