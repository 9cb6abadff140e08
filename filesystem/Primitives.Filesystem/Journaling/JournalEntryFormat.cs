using System.Buffers.Binary;
using Primitives.Filesystem.Format;

namespace Primitives.Filesystem.Journaling;

/// <summary>
/// The on-disk layout of a journal entry (a jset), little-endian:
/// <code>
///  0  magic        u64  "PRJSET01"
///  8  journal id   u64  the filesystem's journal identifier (entries of another filesystem are ignored)
/// 16  seq          u64  this entry's sequence number
/// 24  prev seq     u64  the sequence number of the entry written before this one (seq - 1, except after recovery)
/// 32  last seq     u64  the oldest sequence number still needed when this entry was written
/// 40  length       u32  bytes of header and records (the entry occupies length rounded up to blocks)
/// 44  flags        u32  bit 0: flush entry (written between two device flushes)
/// 48  reserved     u64  zero
/// 56  checksum     u32  CRC32C of bytes [0, 56) and [64, length)
/// 60  reserved     u32  zero
/// 64  records: type u8 (0 = one byte of padding, nothing else), then for other types length u32 and payload
/// </code>
/// </summary>
internal static class JournalEntryFormat
{
    public const ulong Magic = 0x3130_5445_534A_5250; // "PRJSET01" little-endian
    public const int HeaderSize = 64;
    public const int ChecksumOffset = 56;
    public const int RecordHeaderSize = 5;
    public const uint FlushFlag = 1;

    /// <summary>The record type the journal keeps for itself: a single zero byte is padding.</summary>
    public const byte PaddingType = 0;

    public static void WriteHeader(Span<byte> entry, ulong journalId, long seq, long prevSeq, long lastSeq, int length, bool flush)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(entry, Magic);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[8..], journalId);
        BinaryPrimitives.WriteInt64LittleEndian(entry[16..], seq);
        BinaryPrimitives.WriteInt64LittleEndian(entry[24..], prevSeq);
        BinaryPrimitives.WriteInt64LittleEndian(entry[32..], lastSeq);
        BinaryPrimitives.WriteInt32LittleEndian(entry[40..], length);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[44..], flush ? FlushFlag : 0);
        BinaryPrimitives.WriteUInt64LittleEndian(entry[48..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[60..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(entry[ChecksumOffset..], Checksum(entry[..length]));
    }

    public static uint Checksum(ReadOnlySpan<byte> entry) =>
        ~Crc32C.Append(Crc32C.Append(uint.MaxValue, entry[..ChecksumOffset]), entry[HeaderSize..]);

    public static int EncodeRecord(Span<byte> destination, byte type, ReadOnlySpan<byte> payload)
    {
        destination[0] = type;
        BinaryPrimitives.WriteInt32LittleEndian(destination[1..], payload.Length);
        payload.CopyTo(destination[RecordHeaderSize..]);
        return RecordHeaderSize + payload.Length;
    }

    /// <summary>A parsed header (not yet checksum-verified).</summary>
    public readonly record struct Header(ulong JournalId, long Seq, long PrevSeq, long LastSeq, int Length, bool IsFlush);

    /// <summary>
    /// Parses a header: null unless the magic and <paramref name="journalId"/> match and the
    /// fields are plausible (length within <paramref name="maxLength"/>, last seq &lt;= seq).
    /// </summary>
    public static Header? TryReadHeader(ReadOnlySpan<byte> block, ulong journalId, int maxLength)
    {
        if (block.Length < HeaderSize || BinaryPrimitives.ReadUInt64LittleEndian(block) != Magic)
        {
            return null;
        }

        var header = new Header(
            BinaryPrimitives.ReadUInt64LittleEndian(block[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[24..]),
            BinaryPrimitives.ReadInt64LittleEndian(block[32..]),
            BinaryPrimitives.ReadInt32LittleEndian(block[40..]),
            (BinaryPrimitives.ReadUInt32LittleEndian(block[44..]) & FlushFlag) != 0);
        bool plausible = header.JournalId == journalId && header.Seq > 0 && header.PrevSeq >= 0 && header.PrevSeq < header.Seq
            && header.LastSeq > 0 && header.LastSeq <= header.Seq && header.Length >= HeaderSize && header.Length <= maxLength;
        return plausible ? header : null;
    }

    /// <summary>Decodes the records after the header; null when they do not parse exactly to the end.</summary>
    public static List<JournalRecord>? TryReadRecords(ReadOnlyMemory<byte> entry)
    {
        var records = new List<JournalRecord>();
        int position = HeaderSize;
        ReadOnlySpan<byte> span = entry.Span;
        while (position < span.Length)
        {
            byte type = span[position];
            if (type == PaddingType)
            {
                position++;
                continue;
            }

            if (span.Length - position < RecordHeaderSize)
            {
                return null;
            }

            int length = BinaryPrimitives.ReadInt32LittleEndian(span[(position + 1)..]);
            if (length < 0 || length > span.Length - position - RecordHeaderSize)
            {
                return null;
            }

            records.Add(new JournalRecord(type, entry.Slice(position + RecordHeaderSize, length)));
            position += RecordHeaderSize + length;
        }

        return records;
    }
}
