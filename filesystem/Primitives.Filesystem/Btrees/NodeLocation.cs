namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Where a btree node lives on the device: its byte offset and the generation of the bucket that
/// holds it when it was written (a pointer whose generation no longer matches the bucket's is stale).
/// </summary>
/// <param name="Offset">The byte offset of the node on the device (a multiple of the logical block size).</param>
/// <param name="Generation">The bucket generation at allocation time.</param>
public readonly record struct NodeLocation(long Offset, uint Generation)
{
    /// <summary>The encoded size: offset (8 bytes) and generation (4 bytes), little endian.</summary>
    public const int EncodedSize = 12;

    /// <summary>Writes the location into <paramref name="destination"/> (at least <see cref="EncodedSize"/> bytes).</summary>
    public void Write(Span<byte> destination)
    {
        System.Buffers.Binary.BinaryPrimitives.WriteInt64LittleEndian(destination, Offset);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(destination[8..], Generation);
    }

    /// <summary>Reads a location written by <see cref="Write"/>.</summary>
    public static NodeLocation Read(ReadOnlySpan<byte> source) =>
        new(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(source), System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(source[8..]));

    /// <inheritdoc />
    public override string ToString() => $"@{Offset}/g{Generation}";
}
