namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The device space btree nodes live in (built by the allocator, adapted by the engine). Nodes are
/// copy-on-write: every write of a node goes to a freshly allocated location, and the old location
/// is released only at the journal sequence that makes the new one reachable.
/// </summary>
/// <remarks>All members must be thread-safe. Every location spans <see cref="NodeSize"/> bytes.</remarks>
public interface IBtreeNodeSpace
{
    /// <summary>The size of every node in bytes (a multiple of the device's logical block size).</summary>
    int NodeSize { get; }

    /// <summary>Allocates a location for one node.</summary>
    /// <exception cref="FilesystemException">No space is left.</exception>
    NodeLocation Allocate();

    /// <summary>
    /// Releases <paramref name="location"/>: it may be reused once journal sequence
    /// <paramref name="journalSeq"/> is durable (0: immediately, for a location never made reachable).
    /// </summary>
    void Free(NodeLocation location, ulong journalSeq);

    /// <summary>Writes a whole node image (<see cref="NodeSize"/> bytes) at <paramref name="location"/>.</summary>
    ValueTask WriteAsync(NodeLocation location, ReadOnlyMemory<byte> image, CancellationToken cancellationToken = default);

    /// <summary>Reads the node image at <paramref name="location"/> into <paramref name="buffer"/> (<see cref="NodeSize"/> bytes).</summary>
    ValueTask ReadAsync(NodeLocation location, Memory<byte> buffer, CancellationToken cancellationToken = default);
}
