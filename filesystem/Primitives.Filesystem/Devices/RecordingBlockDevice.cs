namespace Primitives.Filesystem.Devices;

/// <summary>
/// Wraps a <see cref="MemoryBlockDevice"/> and records every completed write and discard, grouped
/// into flush epochs, so a test can enumerate the states a crash could leave behind
/// (<see cref="EnumerateCrashStates(int, int, bool)"/>) and check recovery from each.
/// </summary>
/// <remarks>
/// <para>Epochs: epoch 0 holds the writes completed before the first flush started; a flush
/// that starts closes the current epoch (writes completing from then on belong to the next one).
/// This follows the <see cref="BlockDevice"/> contract: a flush covers only writes completed before
/// it started, and a write still in flight when a flush starts may or may not be persisted.</para>
/// <para>Crash model: every write of the epochs before the crash's epoch is present (their flush
/// started, and a crash state does not need that flush to have returned), plus any subset of the
/// crash epoch's writes, applied in completion order. Torn (partially written) blocks are not modelled.</para>
/// <para>Thread safety: every member is thread-safe.</para>
/// </remarks>
public sealed class RecordingBlockDevice : BlockDevice
{
    private readonly object _lock = new();
    private readonly MemoryBlockDevice _inner;
    private readonly MemoryBlockDevice _snapshot;
    private readonly List<RecordedWrite> _writes = [];
    private readonly List<int> _epochSizes = [0];
    private int _completedFlushes;
    private int _durableEpochs;

    /// <summary>Starts recording: snapshots <paramref name="inner"/>'s current contents as the starting image.</summary>
    /// <param name="inner">The device that really holds the data; the caller keeps ownership.</param>
    public RecordingBlockDevice(MemoryBlockDevice inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _snapshot = inner.Clone($"{inner.Name}@start");
    }

    /// <summary>The wrapped device.</summary>
    public MemoryBlockDevice Inner => _inner;

    /// <inheritdoc />
    public override string Name => $"recording({_inner.Name})";

    /// <inheritdoc />
    public override long Size => _inner.Size;

    /// <inheritdoc />
    public override int LogicalBlockSize => _inner.LogicalBlockSize;

    /// <inheritdoc />
    public override bool SupportsDiscard => _inner.SupportsDiscard;

    /// <summary>
    /// Flushes that have returned successfully. A test that saw a flush return records this value:
    /// everything written before that flush started survives in every crash state whose
    /// <see cref="CrashState.Epoch"/> is at least this value.
    /// </summary>
    public int FlushCount
    {
        get
        {
            lock (_lock)
            {
                return _completedFlushes;
            }
        }
    }

    /// <summary>The epoch new writes currently land in (the number of flushes started so far).</summary>
    public int CurrentEpoch
    {
        get
        {
            lock (_lock)
            {
                return _epochSizes.Count - 1;
            }
        }
    }

    /// <summary>The epochs known durable: every epoch below this number was covered by a flush that returned.</summary>
    public int DurableEpochs
    {
        get
        {
            lock (_lock)
            {
                return _durableEpochs;
            }
        }
    }

    /// <summary>The writes and discards recorded so far, in completion order (a copy).</summary>
    public IReadOnlyList<RecordedWrite> Writes
    {
        get
        {
            lock (_lock)
            {
                return _writes.ToArray();
            }
        }
    }

    /// <summary>The number of writes and discards recorded in each epoch (a copy; the last is the open epoch).</summary>
    public IReadOnlyList<int> EpochSizes
    {
        get
        {
            lock (_lock)
            {
                return _epochSizes.ToArray();
            }
        }
    }

    /// <inheritdoc />
    public override ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(offset, buffer, cancellationToken);

    /// <inheritdoc />
    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        byte[] copy = buffer.ToArray(); // the caller may reuse its buffer once we return
        await _inner.WriteAsync(offset, copy, cancellationToken).ConfigureAwait(false);
        Record(offset, copy, copy.Length);
    }

    /// <inheritdoc />
    public override async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, length);
        await _inner.DiscardAsync(offset, length, cancellationToken).ConfigureAwait(false);
        Record(offset, null, length);
    }

    /// <inheritdoc />
    /// <remarks>Closes the current epoch when it starts; counts in <see cref="FlushCount"/> when it returns successfully.</remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        int closing;
        lock (_lock)
        {
            closing = _epochSizes.Count - 1;
            _epochSizes.Add(0);
        }

        await _inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        lock (_lock)
        {
            _completedFlushes++;
            _durableEpochs = Math.Max(_durableEpochs, closing + 1);
        }
    }

    /// <summary>
    /// The crash states, epoch by epoch: for each epoch k (including the open one), every write of
    /// the epochs before k plus (a) each prefix of epoch k's writes (lengths 1..n; the empty prefix
    /// only for epoch 0, since for later epochs it equals the previous epoch's full prefix), and (b)
    /// up to <paramref name="randomSubsetsPerEpoch"/> distinct random subsets of epoch k's writes that are
    /// not prefixes (fewer when the epoch has fewer such subsets). Deterministic for a given
    /// <paramref name="seed"/> and recording.
    /// </summary>
    /// <param name="randomSubsetsPerEpoch">Random non-prefix subsets per epoch; 0 for prefixes only.</param>
    /// <param name="seed">Seed of the subset generator.</param>
    /// <returns>The states, lazily; each is materialized on demand with <see cref="CrashState.Materialize"/>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="randomSubsetsPerEpoch"/> is negative.</exception>
    public IEnumerable<CrashState> EnumerateCrashStates(int randomSubsetsPerEpoch, int seed) => EnumerateCrashStates(randomSubsetsPerEpoch, seed, tornWrites: false);

    /// <summary>
    /// As <see cref="EnumerateCrashStates(int, int)"/>; with <paramref name="tornWrites"/>, also, for
    /// every write of more than one logical block, the state in which the writes of its epoch
    /// before it landed and it landed only in part: a seeded random number of leading logical blocks,
    /// at least one and fewer than all (a torn write; what checksums on multi-block structures must catch).
    /// </summary>
    /// <param name="randomSubsetsPerEpoch">Random non-prefix subsets per epoch; 0 for prefixes only.</param>
    /// <param name="seed">Seed of the subset and tear-point generator.</param>
    /// <param name="tornWrites">Whether to add the torn-write states.</param>
    /// <returns>The states, lazily, each epoch's prefixes first, then its torn writes, then its random subsets.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="randomSubsetsPerEpoch"/> is negative.</exception>
    public IEnumerable<CrashState> EnumerateCrashStates(int randomSubsetsPerEpoch, int seed, bool tornWrites)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(randomSubsetsPerEpoch);
        RecordedWrite[] writes;
        int[] sizes;
        lock (_lock)
        {
            writes = _writes.ToArray();
            sizes = _epochSizes.ToArray();
        }

        return Enumerate(writes, sizes, randomSubsetsPerEpoch, seed, tornWrites);
    }

    private IEnumerable<CrashState> Enumerate(RecordedWrite[] writes, int[] sizes, int randomSubsetsPerEpoch, int seed, bool tornWrites)
    {
        var random = new Random(seed);
        for (int epoch = 0; epoch < sizes.Length; epoch++)
        {
            int n = sizes[epoch];
            for (int prefix = epoch == 0 ? 0 : 1; prefix <= n; prefix++)
            {
                yield return new CrashState(_snapshot, writes, epoch, n, Enumerable.Range(0, prefix).ToArray(), $"epoch {epoch}: prefix {prefix} of {n} writes");
            }

            if (tornWrites)
            {
                foreach (RecordedWrite write in writes.Where(w => w.Epoch == epoch && w.Length > LogicalBlockSize))
                {
                    long blocks = write.Length / LogicalBlockSize;
                    long landed = 1 + random.NextInt64(blocks - 1); // 1 .. blocks-1
                    int i = write.IndexInEpoch;
                    yield return new CrashState(_snapshot, writes, epoch, n, Enumerable.Range(0, i).ToArray(),
                        $"epoch {epoch}: prefix {i} of {n} writes, then write {i} torn after {landed} of {blocks} blocks", i, landed * LogicalBlockSize);
                }
            }

            // Non-prefix subsets: 2^n - (n + 1) of them. Draw distinct ones, at most that many.
            double available = Math.Pow(2, n) - (n + 1);
            int wanted = (int)Math.Min(randomSubsetsPerEpoch, available);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            int attempts = 0;
            while (seen.Count < wanted && attempts < wanted * 64)
            {
                attempts++;
                var included = new List<int>();
                for (int i = 0; i < n; i++)
                {
                    if (random.Next(2) == 1)
                    {
                        included.Add(i);
                    }
                }

                bool isPrefix = included.Count == 0 || included[^1] == included.Count - 1;
                string key = string.Join(",", included);
                if (isPrefix || !seen.Add(key))
                {
                    continue;
                }

                yield return new CrashState(_snapshot, writes, epoch, n, included.ToArray(), $"epoch {epoch}: subset {{{key}}} of {n} writes");
            }
        }
    }

    private void Record(long offset, byte[]? data, long length)
    {
        lock (_lock)
        {
            int epoch = _epochSizes.Count - 1;
            _writes.Add(new RecordedWrite(_writes.Count, epoch, _epochSizes[epoch], offset, data, length));
            _epochSizes[epoch]++;
        }
    }
}
