using System.Runtime.CompilerServices;
using Primitives.Closures;

namespace Primitives.Filesystem.Devices;

/// <summary>
/// A <see cref="Closure"/> that a batch of submitted I/Os holds references on
/// (<see cref="BlockDevice.SubmitWrite"/> and friends take one at submission and drop it at
/// completion), and that records the first error any of them hit, so the batch's owner sees it
/// when the batch continues or its sync returns.
/// </summary>
/// <remarks>
/// <para>Typical use: create a batch, submit writes, then either block (<see cref="Closure.Sync()"/>
/// then <see cref="ThrowIfFailed"/>), await (<see cref="WaitAsync"/>), or end the step with
/// <see cref="Closure.ContinueAt"/> and check <see cref="FirstError"/> in the continuation. Because
/// an <see cref="IoBatch"/> is a closure it may have a parent: the parent continues only when the
/// batch has finished.</para>
/// <para>Thread safety: <see cref="RecordError"/>, <see cref="FirstError"/> and <see cref="ErrorCount"/>
/// are safe from any thread; the errors recorded by completions are visible to whoever continues the
/// closure (the closure's put is a full fence).</para>
/// </remarks>
public sealed class IoBatch : Closure
{
    private Exception? _firstError;
    private int _errorCount;

    /// <summary>Creates a running batch (one reference, owned by the caller's step).</summary>
    /// <param name="parent">A closure that waits for this batch to finish, or <see langword="null"/>.</param>
    /// <param name="callerMember">Filled in by the compiler for the closure debug registry.</param>
    /// <param name="callerFile">Filled in by the compiler for the closure debug registry.</param>
    /// <param name="callerLine">Filled in by the compiler for the closure debug registry.</param>
    public IoBatch(
        Closure? parent = null,
        [CallerMemberName] string callerMember = "",
        [CallerFilePath] string callerFile = "",
        [CallerLineNumber] int callerLine = 0)
        : base(parent, callerMember, callerFile, callerLine)
    {
    }

    /// <summary>The first error a completion recorded, or <see langword="null"/>.</summary>
    public Exception? FirstError => Volatile.Read(ref _firstError);

    /// <summary>How many completions recorded an error.</summary>
    public int ErrorCount => Volatile.Read(ref _errorCount);

    /// <summary>Records <paramref name="error"/>; only the first one is kept, all are counted.</summary>
    public void RecordError(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Interlocked.Increment(ref _errorCount);
        Interlocked.CompareExchange(ref _firstError, error, null);
    }

    /// <summary>Throws the first recorded error (rethrown with its original stack), if any.</summary>
    public void ThrowIfFailed()
    {
        if (FirstError is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// Waits for every submitted I/O (<see cref="Closure.SyncAsync"/>: the batch is re-armed and
    /// owned by the caller again), then throws the first recorded error, if any.
    /// </summary>
    /// <remarks>Only the owner of the batch's running step may call it.</remarks>
    public async Task WaitAsync()
    {
        await SyncAsync().ConfigureAwait(false);
        ThrowIfFailed();
    }
}
