namespace Primitives.Filesystem.Journaling;

/// <summary>
/// A journal pin: held by a dirty object (a cached key, a btree node) that is not yet written
/// elsewhere, on the sequence of the journal entry that holds its update. While pinned, that
/// sequence (and every newer one) is not reclaimed. When journal space runs low, reclaim asks the
/// object to write itself by calling <see cref="FlushAsync"/>; the object then drops the pin
/// (<see cref="Journal.PinDrop"/>) or moves it to a newer sequence (<see cref="Journal.PinUpdate"/>).
/// </summary>
/// <remarks>
/// A pin is on at most one sequence at a time; the journal links it into that sequence's pin
/// list. Thread safety: the journal's pin operations are safe from any thread; the flush callback
/// runs on a reclaim task, outside the journal's locks.
/// </remarks>
public class JournalPin
{
    private readonly Func<JournalPin, long, CancellationToken, ValueTask>? _flush;

    /// <summary>Creates a pin whose flush callback is <paramref name="flush"/> (called with the pin and its sequence).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="flush"/> is null.</exception>
    public JournalPin(Func<JournalPin, long, CancellationToken, ValueTask> flush)
    {
        ArgumentNullException.ThrowIfNull(flush);
        _flush = flush;
    }

    /// <summary>Creates a pin for a subclass that overrides <see cref="FlushAsync"/>.</summary>
    protected JournalPin()
    {
    }

    /// <summary>The sequence this pin holds, or 0 when it is not pinned.</summary>
    public long Seq { get; internal set; }

    /// <summary>The journal this pin is on (null when unpinned).</summary>
    internal Journal? Owner { get; set; }

    internal JournalPin? Previous { get; set; }

    internal JournalPin? Next { get; set; }

    /// <summary>
    /// Writes the pinned object so that sequence <paramref name="seq"/> is no longer needed, then
    /// drops or moves the pin. Called by journal reclaim; the default calls the constructor's callback.
    /// </summary>
    /// <param name="seq">The sequence the pin held when reclaim asked.</param>
    /// <param name="cancellationToken">Cancels the flush.</param>
    /// <returns>A task that completes when the object is written.</returns>
    protected virtual ValueTask FlushAsync(long seq, CancellationToken cancellationToken) =>
        _flush is null
            ? throw new InvalidOperationException($"{GetType().Name} was created without a flush callback and does not override FlushAsync")
            : _flush(this, seq, cancellationToken);

    /// <summary>Called by reclaim.</summary>
    internal ValueTask RequestFlushAsync(long seq, CancellationToken cancellationToken) => FlushAsync(seq, cancellationToken);
}
