namespace Primitives.Filesystem.Btrees;

/// <summary>The btrees of the filesystem: one implementation, one tree per key type.</summary>
public enum BtreeId : byte
{
    /// <summary>Bucket alloc keys, by bucket number (position inode 0, offset = bucket).</summary>
    Alloc = 0,

    /// <summary>Free buckets, an index derived from the alloc keys.</summary>
    Freespace = 1,

    /// <summary>Buckets waiting for a discard, an index derived from the alloc keys.</summary>
    NeedDiscard = 2,

    /// <summary>Inodes, by inode number.</summary>
    Inodes = 3,

    /// <summary>Directory entries, by (directory inode, name hash).</summary>
    Dirents = 4,

    /// <summary>File data extents, by (inode, end offset).</summary>
    Extents = 5,

    /// <summary>Extended attributes, by (inode, name hash).</summary>
    Xattrs = 6,
}
