using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Coyote.Tests.Btrees;

/// <summary>
/// Commits updates of <see cref="BtreeId.Extents"/> keys (inode 1) through a store from several tasks
/// and records each commit with its journal sequence, so a scenario can apply them to its model in
/// sequence order (the order replay and readers see) once the tasks are done.
/// </summary>
internal sealed class CommitRecorder(BtreeStore store)
{
    private readonly List<(ulong Seq, List<(Bpos Pos, byte[]? Value)> Updates)> _commits = [];

    /// <summary>Commits one transaction: a value sets the key at that offset, null deletes it.</summary>
    public void Commit(params (ulong Offset, byte[]? Value)[] updates) => Commit((IEnumerable<(ulong Offset, byte[]? Value)>)updates);

    /// <summary>Commits one transaction: a value sets the key at that offset, null deletes it.</summary>
    public void Commit(IEnumerable<(ulong Offset, byte[]? Value)> updates)
    {
        using BtreeTransaction tx = store.Begin();
        var list = new List<(Bpos, byte[]?)>();
        foreach (var (offset, value) in updates)
        {
            var pos = new Bpos(1, offset);
            if (value is null)
            {
                tx.Delete(BtreeId.Extents, pos);
            }
            else
            {
                tx.Set(BtreeId.Extents, pos, value);
            }

            list.Add((pos, value));
        }

        ulong seq = tx.Commit();
        lock (_commits)
        {
            _commits.Add((seq, list));
        }
    }

    /// <summary>Applies every recorded commit to <paramref name="model"/> in sequence order (call after the committing tasks are done).</summary>
    public void ApplyInSequenceOrder(SortedDictionary<Bpos, byte[]> model)
    {
        foreach (var (_, updates) in _commits.OrderBy(c => c.Seq))
        {
            foreach (var (pos, value) in updates)
            {
                if (value is null)
                {
                    model.Remove(pos);
                }
                else
                {
                    model[pos] = value;
                }
            }
        }
    }
}
