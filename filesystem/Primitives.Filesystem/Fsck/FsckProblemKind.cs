namespace Primitives.Filesystem.Fsck;

/// <summary>What kind of inconsistency fsck found.</summary>
public enum FsckProblemKind
{
    /// <summary>The superblock or its clean section is invalid.</summary>
    Superblock,

    /// <summary>A btree node's checksum or structure is bad (unreadable node).</summary>
    NodeChecksum,

    /// <summary>A btree node points at a bucket whose alloc key does not say btree, or whose generation differs.</summary>
    NodePointer,

    /// <summary>A data extent points at a bucket whose alloc key does not say user data, or with a stale generation, or outside the bucket.</summary>
    DataPointer,

    /// <summary>An alloc key's dirty sector count or data type differs from what the btrees reference.</summary>
    AllocKey,

    /// <summary>The freespace index disagrees with the alloc keys (missing or extra entry).</summary>
    FreespaceIndex,

    /// <summary>The need_discard index disagrees with the alloc keys.</summary>
    NeedDiscardIndex,

    /// <summary>A directory entry names an inode that does not exist.</summary>
    DanglingDirent,

    /// <summary>An inode's link count differs from the number of directory entries naming it.</summary>
    LinkCount,

    /// <summary>The journal holds an entry the btrees do not reflect after replay, or is unreadable.</summary>
    Journal,
}
