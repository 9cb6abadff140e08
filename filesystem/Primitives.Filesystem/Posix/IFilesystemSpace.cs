namespace Primitives.Filesystem.Posix;

/// <summary>How much space the filesystem has, for <c>statfs</c>.</summary>
/// <remarks>The engine implements it from its allocator; <see cref="MemoryDataStore"/> from its capacity.</remarks>
public interface IFilesystemSpace
{
    /// <summary>The usable size of the filesystem in bytes.</summary>
    long TotalBytes { get; }

    /// <summary>The bytes still free for user data.</summary>
    long FreeBytes { get; }
}
