namespace Primitives.Filesystem.Btrees;

/// <summary>
/// The roots of all btrees at one moment: what every journal entry and the clean-shutdown
/// superblock carry, and what <see cref="BtreeStore.OpenAsync"/> starts from.
/// </summary>
public sealed class BtreeRoots
{
    private readonly Dictionary<BtreeId, BtreeRoot> _roots;

    /// <summary>Creates the table from per-btree roots.</summary>
    public BtreeRoots(IReadOnlyDictionary<BtreeId, BtreeRoot> roots)
    {
        ArgumentNullException.ThrowIfNull(roots);
        _roots = new Dictionary<BtreeId, BtreeRoot>(roots);
    }

    /// <summary>The roots by btree.</summary>
    public IReadOnlyDictionary<BtreeId, BtreeRoot> Roots => _roots;

    /// <summary>Encodes the table: count (1 byte), then per btree its id (1 byte) and <see cref="BtreeRoot"/>.</summary>
    public byte[] Encode()
    {
        byte[] bytes = new byte[1 + _roots.Count * (1 + BtreeRoot.EncodedSize)];
        bytes[0] = (byte)_roots.Count;
        int at = 1;
        foreach (var (id, root) in _roots.OrderBy(r => r.Key))
        {
            bytes[at] = (byte)id;
            root.Encode().CopyTo(bytes, at + 1);
            at += 1 + BtreeRoot.EncodedSize;
        }

        return bytes;
    }

    /// <summary>Decodes bytes written by <see cref="Encode"/>.</summary>
    /// <exception cref="FilesystemException">The bytes are not a roots table.</exception>
    public static BtreeRoots Decode(ReadOnlySpan<byte> bytes)
    {
        if (bytes.IsEmpty || bytes.Length != 1 + bytes[0] * (1 + BtreeRoot.EncodedSize))
        {
            throw new FilesystemException($"a btree roots table of {bytes.Length} bytes is malformed");
        }

        var roots = new Dictionary<BtreeId, BtreeRoot>();
        for (int i = 0, at = 1; i < bytes[0]; i++, at += 1 + BtreeRoot.EncodedSize)
        {
            var id = (BtreeId)bytes[at];
            if (!Enum.IsDefined(id) || !BtreeRoot.TryDecode(bytes.Slice(at + 1, BtreeRoot.EncodedSize), out BtreeRoot root) || !roots.TryAdd(id, root))
            {
                throw new FilesystemException($"a btree roots table has a bad entry {i}");
            }
        }

        return new BtreeRoots(roots);
    }
}
