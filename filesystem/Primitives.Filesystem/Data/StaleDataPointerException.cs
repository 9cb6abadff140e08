namespace Primitives.Filesystem.Data;

/// <summary>
/// A <see cref="DataPointer"/> refers to a bucket that has been emptied or reused since the data
/// was written (its generation no longer matches): the data it pointed to is gone.
/// </summary>
public sealed class StaleDataPointerException : FilesystemException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="pointer">The stale pointer.</param>
    /// <param name="currentGeneration">The bucket's generation now.</param>
    /// <param name="detail">What the bucket holds now, in words.</param>
    public StaleDataPointerException(DataPointer pointer, uint currentGeneration, string detail)
        : base($"stale data pointer {pointer}: bucket {pointer.Bucket} is at generation {currentGeneration} ({detail}), the pointer has generation {pointer.Generation}")
    {
        Pointer = pointer;
        CurrentGeneration = currentGeneration;
    }

    /// <summary>The stale pointer.</summary>
    public DataPointer Pointer { get; }

    /// <summary>The bucket's generation when the pointer was checked.</summary>
    public uint CurrentGeneration { get; }
}
