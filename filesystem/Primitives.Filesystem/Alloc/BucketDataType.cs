namespace Primitives.Filesystem.Alloc;

/// <summary>What a bucket holds (the data type of its alloc key). Stored on disk as one byte: never renumber.</summary>
public enum BucketDataType : byte
{
    /// <summary>Free: in the freespace index, may be allocated.</summary>
    Free = 0,

    /// <summary>Emptied: waits for the journal entry that emptied it to be durable, then for a discard, then becomes free.</summary>
    NeedDiscard = 1,

    /// <summary>The superblock area (bucket 0) or the backup superblock (the last bucket).</summary>
    Superblock = 2,

    /// <summary>A journal bucket.</summary>
    Journal = 3,

    /// <summary>Btree nodes.</summary>
    Btree = 4,

    /// <summary>User (file) data.</summary>
    User = 5,
}
