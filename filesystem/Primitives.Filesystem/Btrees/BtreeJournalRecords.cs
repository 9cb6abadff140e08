namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Encoding of the btree's journal records, exported so the journal's replay can parse them.
/// Payloads: <c>Key</c> = [btree id][level][key (<see cref="BtreeKeyCodec"/>)];
/// <c>RootGrown</c> = [btree id][new level]; <c>RootWritten</c> = [btree id][level][location (12 bytes)].
/// </summary>
public static class BtreeJournalRecords
{
    /// <summary>Record type byte of a key update.</summary>
    public const byte KeyType = 0x10;

    /// <summary>Record type byte of a root growing one level.</summary>
    public const byte RootGrownType = 0x11;

    /// <summary>Record type byte of a root written to a new location.</summary>
    public const byte RootWrittenType = 0x12;

    /// <summary>Whether <paramref name="type"/> is one of the btree record types.</summary>
    public static bool IsBtreeRecord(byte type) => type is KeyType or RootGrownType or RootWrittenType;

    /// <summary>The payload size of a key record.</summary>
    public static int KeyPayloadSize(in BtreeKey key) => 2 + BtreeKeyCodec.EncodedSize(key);

    /// <summary>Encodes a key record's payload.</summary>
    public static byte[] EncodeKey(BtreeId btree, int level, in BtreeKey key)
    {
        byte[] payload = new byte[KeyPayloadSize(key)];
        payload[0] = (byte)btree;
        payload[1] = checked((byte)level);
        BtreeKeyCodec.Write(payload.AsSpan(2), key);
        return payload;
    }

    /// <summary>Encodes a root-grown record's payload.</summary>
    public static byte[] EncodeRootGrown(BtreeId btree, int newLevel) => [(byte)btree, checked((byte)newLevel)];

    /// <summary>Encodes a root-written record's payload.</summary>
    public static byte[] EncodeRootWritten(BtreeId btree, int level, NodeLocation location)
    {
        byte[] payload = new byte[2 + NodeLocation.EncodedSize];
        payload[0] = (byte)btree;
        payload[1] = checked((byte)level);
        location.Write(payload.AsSpan(2));
        return payload;
    }

    /// <summary>Decodes a btree record; false when the type is not a btree record type or the payload is malformed.</summary>
    public static bool TryDecode(ulong seq, byte type, ReadOnlySpan<byte> payload, out BtreeJournalRecord record)
    {
        record = default;
        if (!IsBtreeRecord(type) || payload.Length < 2 || !Enum.IsDefined((BtreeId)payload[0]))
        {
            return false;
        }

        var btree = (BtreeId)payload[0];
        int level = payload[1];
        switch (type)
        {
            case KeyType:
                if (!BtreeKeyCodec.TryRead(payload[2..], out BtreeKey key, out int consumed) || consumed != payload.Length - 2)
                {
                    return false;
                }

                record = new BtreeJournalRecord(seq, BtreeJournalRecordKind.Key, btree, level, key, default);
                return true;
            case RootGrownType:
                if (payload.Length != 2 || level == 0)
                {
                    return false;
                }

                record = new BtreeJournalRecord(seq, BtreeJournalRecordKind.RootGrown, btree, level, default, default);
                return true;
            default:
                if (payload.Length != 2 + NodeLocation.EncodedSize)
                {
                    return false;
                }

                record = new BtreeJournalRecord(seq, BtreeJournalRecordKind.RootWritten, btree, level, default, NodeLocation.Read(payload[2..]));
                return true;
        }
    }

}
