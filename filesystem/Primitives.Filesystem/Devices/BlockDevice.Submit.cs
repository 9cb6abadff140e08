namespace Primitives.Filesystem.Devices;

/// <content>
/// Closure-driven submission: I/O started now whose completion drops a reference on an
/// <see cref="IoBatch"/>, so a chain of asynchronous steps (a journal write: data, flush, entry,
/// flush) is written as closure continuations rather than awaits.
/// </content>
public abstract partial class BlockDevice
{
    /// <summary>
    /// Starts a read of <paramref name="buffer"/>.Length bytes at <paramref name="offset"/>:
    /// takes a reference on <paramref name="batch"/> now and drops it when the read completes; a
    /// failure is recorded in the batch (<see cref="IoBatch.FirstError"/>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is misaligned or outside the device (nothing was submitted).</exception>
    /// <remarks>The caller must hold a reference on <paramref name="batch"/> (own its step) and must not touch <paramref name="buffer"/> until the batch continues.</remarks>
    public void SubmitRead(long offset, Memory<byte> buffer, IoBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateRange(offset, buffer.Length);
        Submit(batch, static (device, state) => device.ReadAsync(state.Offset, state.Buffer), new SubmitState(offset, buffer, 0));
    }

    /// <summary>
    /// Starts a write of <paramref name="data"/> at <paramref name="offset"/> (durable after a later
    /// flush): takes a reference on <paramref name="batch"/> now and drops it when the write completes.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is misaligned or outside the device (nothing was submitted).</exception>
    /// <remarks>Writes of one batch run concurrently: submit a flush only after the batch of writes it must cover has continued.</remarks>
    public void SubmitWrite(long offset, ReadOnlyMemory<byte> data, IoBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateRange(offset, data.Length);
        Submit(batch, static (device, state) => device.WriteAsync(state.Offset, state.Data), new SubmitState(offset, default, 0) { Data = data });
    }

    /// <summary>Starts a flush: takes a reference on <paramref name="batch"/> now and drops it when every write completed before this call is durable.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    public void SubmitFlush(IoBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Submit(batch, static (device, _) => device.FlushAsync(), default);
    }

    /// <summary>Starts a discard of [<paramref name="offset"/>, +<paramref name="length"/>): takes a reference on <paramref name="batch"/> now and drops it when done.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="batch"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range is misaligned or outside the device (nothing was submitted).</exception>
    public void SubmitDiscard(long offset, long length, IoBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ValidateRange(offset, length);
        Submit(batch, static (device, state) => device.DiscardAsync(state.Offset, state.Length), new SubmitState(offset, default, length));
    }

    private void Submit(IoBatch batch, Func<BlockDevice, SubmitState, ValueTask> start, SubmitState state)
    {
        batch.Get(); // dropped by CompleteAsync, on every path
        ValueTask io;
        try
        {
            io = start(this, state);
        }
        catch (Exception e)
        {
            batch.RecordError(e);
            batch.Put();
            return;
        }

        _ = CompleteAsync(io, batch);
    }

    private static async Task CompleteAsync(ValueTask io, IoBatch batch)
    {
        try
        {
            await io.ConfigureAwait(false);
        }
        catch (Exception e)
        {
            batch.RecordError(e);
        }
        finally
        {
            batch.Put(); // may run the batch's continuation inline, here
        }
    }

    private readonly record struct SubmitState(long Offset, Memory<byte> Buffer, long Length)
    {
        public ReadOnlyMemory<byte> Data { get; init; }
    }
}
