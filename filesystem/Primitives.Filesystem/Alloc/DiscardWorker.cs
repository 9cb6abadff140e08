using Primitives.Filesystem.Devices;
using Primitives.Statistics;

namespace Primitives.Filesystem.Alloc;

/// <summary>
/// Discards need_discard buckets in the background (BLKDISCARD on a block device, a punched hole
/// in an image file), then marks them free, all through the allocator's discard gate.
/// </summary>
/// <remarks>
/// <para>Per run of adjacent buckets: register them as in flight (under the allocator's lock), issue the discard
/// without the lock, complete it (under the lock). Claims cannot take a bucket in flight, so the
/// slow discard never races with a new owner.</para>
/// <para>A failed discard still frees the bucket (its stale contents are behind the generation bump
/// of its next allocation) and is counted in <see cref="ErrorCount"/>. A device that does not
/// support discard has its buckets freed without I/O.</para>
/// <para>Thread safety: <see cref="DiscardPendingAsync"/> may run concurrently with the background
/// loop and with itself (each bucket is taken by one caller).</para>
/// </remarks>
public sealed class DiscardWorker : IAsyncDisposable
{
    /// <summary>The largest single discard: 16 MiB, so one ioctl covers many small buckets without holding one huge range in flight.</summary>
    public const long MaxRunBytes = 16L * 1024 * 1024;

    private readonly BucketAllocator _allocator;
    private readonly BlockDevice _device;
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private long _discarded;
    private long _errors;

    /// <summary>Creates a worker for <paramref name="allocator"/>'s buckets on <paramref name="device"/> (not started).</summary>
    public DiscardWorker(BucketAllocator allocator, BlockDevice device)
    {
        ArgumentNullException.ThrowIfNull(allocator);
        ArgumentNullException.ThrowIfNull(device);
        _allocator = allocator;
        _device = device;
        _allocator.NeedDiscardReady += Signal;
    }

    /// <summary>Buckets discarded (or freed without I/O) so far.</summary>
    public long DiscardedCount => Interlocked.Read(ref _discarded);

    /// <summary>Discards the device failed (the buckets were freed anyway).</summary>
    public long ErrorCount => Interlocked.Read(ref _errors);

    /// <summary>The first discard error, or <see langword="null"/>.</summary>
    public Exception? FirstError => Volatile.Read(ref _firstError);

    private Exception? _firstError;

    /// <summary>Discard latencies.</summary>
    public TimeStats DiscardStats { get; } = new("alloc.discard");

    /// <summary>Starts the background loop: it wakes whenever buckets become ready for discard.</summary>
    /// <exception cref="InvalidOperationException">Already started.</exception>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("the discard worker is already started");
        }

        _loop = Task.Run(() => RunAsync(_stop.Token));
        Signal(); // buckets may already be waiting (loaded at mount)
    }

    /// <summary>
    /// Discards every bucket that is need_discard now (and any that become so meanwhile), adjacent
    /// buckets in one discard of up to <see cref="MaxRunBytes"/>, then returns how many buckets it handled.
    /// </summary>
    public async Task<int> DiscardPendingAsync(CancellationToken cancellationToken = default)
    {
        int handled = 0;
        int maxRun = (int)Math.Max(1, MaxRunBytes / _allocator.BucketSize);
        int run;
        while (!cancellationToken.IsCancellationRequested && (run = _allocator.TryBeginDiscardRun(maxRun, out long first)) > 0)
        {
            DiscardOutcome outcome = DiscardOutcome.Discarded;
            try
            {
                if (_device.SupportsDiscard)
                {
                    using TimeStatsScope timing = DiscardStats.Measure();
                    await _device.DiscardAsync(first * _allocator.BucketSize, (long)run * _allocator.BucketSize, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                outcome = DiscardOutcome.Cancelled;
            }
            catch (Exception e)
            {
                // A device error, or a device closed under us: the bucket is freed all the same
                // (never left in flight, where no claim could ever take it) and the loop lives on.
                outcome = DiscardOutcome.Failed;
                Interlocked.Increment(ref _errors);
                Interlocked.CompareExchange(ref _firstError, e, null);
            }
            finally
            {
                for (int i = 0; i < run; i++)
                {
                    _allocator.CompleteDiscard(first + i, outcome);
                }
            }

            if (outcome != DiscardOutcome.Cancelled)
            {
                Interlocked.Add(ref _discarded, run);
                handled += run;
            }
        }

        return handled;
    }

    /// <summary>Stops the background loop (a discard in flight completes or goes back to need_discard).</summary>
    public async ValueTask DisposeAsync()
    {
        _allocator.NeedDiscardReady -= Signal;
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        _stop.Dispose();
        _signal.Dispose();
    }

    private void Signal()
    {
        if (_signal.CurrentCount == 0)
        {
            _signal.Release();
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await _signal.WaitAsync(cancellationToken).ConfigureAwait(false);
                await DiscardPendingAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
    }
}
