namespace Primitives.Filesystem.Btrees;

/// <summary>
/// A btree transaction as the layers above the engine see it: point reads, ordered range reads,
/// and buffered updates that become visible to others, atomically and in one journal entry, at
/// <see cref="Commit"/>. Reads see the transaction's own pending updates.
/// </summary>
/// <remarks>
/// Isolation is per key: the engine guarantees that a commit is atomic and that readers never see
/// half of one, not that two transactions reading the same keys are serialised. A layer that needs
/// read-modify-write serialisation (the POSIX layer, per inode) locks above the engine.
/// Values are at most <see cref="MaxValueSize"/> bytes.
/// </remarks>
public interface IKeyValueTransaction : IDisposable
{
    /// <summary>The largest value a key may carry.</summary>
    const int MaxValueSize = 4096;

    /// <summary>Reads the value at <paramref name="pos"/>; false when there is none.</summary>
    bool TryGet(BtreeId btree, Bpos pos, out ReadOnlyMemory<byte> value);

    /// <summary>The keys in [<paramref name="from"/>, <paramref name="to"/>] in ascending order.</summary>
    IEnumerable<KeyValuePair<Bpos, ReadOnlyMemory<byte>>> Range(BtreeId btree, Bpos from, Bpos to);

    /// <summary>Sets the value at <paramref name="pos"/> (insert or overwrite) when the transaction commits.</summary>
    void Set(BtreeId btree, Bpos pos, ReadOnlySpan<byte> value);

    /// <summary>Deletes the key at <paramref name="pos"/> (if any) when the transaction commits.</summary>
    void Delete(BtreeId btree, Bpos pos);

    /// <summary>
    /// Applies every update atomically and journals them; returns the journal sequence number that
    /// makes them durable once flushed (see <see cref="IKeyValueStore.FlushAsync"/>). A transaction
    /// with no updates returns 0. The transaction cannot be used after a commit.
    /// </summary>
    ulong Commit();
}
