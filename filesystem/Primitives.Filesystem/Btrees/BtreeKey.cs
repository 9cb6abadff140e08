namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A key of a btree: its position, its value, and whether it is a whiteout (a deletion that hides
/// older versions of the key in older bsets). Values are at most
/// <see cref="IKeyValueTransaction.MaxValueSize"/> bytes; a whiteout carries no value.
/// </summary>
/// <param name="Pos">The position.</param>
/// <param name="Value">The value (empty for a whiteout). Never mutated once in a key.</param>
/// <param name="IsWhiteout">Whether the key deletes <paramref name="Pos"/>.</param>
public readonly record struct BtreeKey(Bpos Pos, ReadOnlyMemory<byte> Value, bool IsWhiteout)
{
    /// <summary>A whiteout at <paramref name="pos"/>.</summary>
    public static BtreeKey Whiteout(Bpos pos) => new(pos, ReadOnlyMemory<byte>.Empty, true);

    /// <summary>The size of the key in the compact binary encoding (<see cref="BtreeKeyCodec"/>).</summary>
    public int EncodedSize => BtreeKeyCodec.EncodedSize(this);
}
