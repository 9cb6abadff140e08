namespace Primitives.Filesystem.Btrees;

/// <summary>The btrees of a mounted filesystem as a transactional key/value store.</summary>
public interface IKeyValueStore
{
    /// <summary>Starts a transaction.</summary>
    IKeyValueTransaction Begin();

    /// <summary>
    /// Makes every transaction committed with a sequence number up to <paramref name="seq"/>
    /// durable (fsync semantics; concurrent callers share one device flush). 0 means everything
    /// committed so far.
    /// </summary>
    ValueTask FlushAsync(ulong seq = 0, CancellationToken cancellationToken = default);
}
