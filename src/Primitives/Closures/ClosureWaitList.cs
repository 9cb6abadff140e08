using System.Runtime.ExceptionServices;

namespace Primitives.Closures;

/// <summary>
/// A list of closures waiting for something to happen (<c>closure_waitlist</c>). A closure joins
/// with <see cref="Closure.TryWaitOn"/>, holding a reference while it is on the list;
/// <see cref="WakeUp"/> empties the list and drops those references in FIFO order, so each waiter's
/// continuation or <c>Sync</c> proceeds. <see cref="WaitUntil"/> blocks a thread until a condition
/// holds (<c>closure_wait_event</c>).
/// </summary>
/// <remarks>
/// Thread safety: every member is safe from any thread. The list is a lock-free stack (push by
/// compare-and-swap, take-all by exchange, so no ABA problem); <see cref="WakeUp"/> reverses it to
/// wake in arrival order. A closure's link belongs to the list from its push until the waker drops
/// its WAITING flag, and it cannot join another list in between.
/// </remarks>
public sealed class ClosureWaitList
{
    private Closure? _head;

    /// <summary>Whether no closure is waiting (a snapshot).</summary>
    /// <remarks>Thread safety: safe from any thread (a volatile read).</remarks>
    public bool IsEmpty => Volatile.Read(ref _head) is null;

    internal void Push(Closure closure)
    {
        Closure? head = Volatile.Read(ref _head);
        while (true)
        {
            closure._waitNext = head;
            // Full fence: publishes the link, and orders the push before the caller's condition
            // check (partner: the exchange in WakeUp).
            var seen = Interlocked.CompareExchange(ref _head, closure, head);
            if (seen == head)
                return;
            head = seen;
        }
    }

    /// <summary>
    /// Wakes every closure now on the list, first come first woken: each drops the reference it
    /// holds for being on the list, which may run its continuation (inline executors run on this
    /// thread, before this method returns) or wake its <c>Sync</c>.
    /// </summary>
    /// <exception cref="ClosureStateException">A waiter's state is corrupt (see <see cref="Closure"/>).</exception>
    /// <exception cref="Exception">
    /// A waiter's continuation ran inline and threw. Every other waiter is still woken first; then
    /// the first such exception is rethrown (with its original stack trace).
    /// </exception>
    /// <remarks>
    /// Thread safety: safe from any thread. Starts with a full fence (the exchange): writes the caller
    /// made before (the condition waiters test) are ordered before reading the list, pairing with the
    /// push's fence in <see cref="Closure.TryWaitOn"/>.
    /// </remarks>
    public void WakeUp()
    {
        if (Volatile.Read(ref _head) is null)
        {
            // Even with nothing to take, order the caller's condition write before that read.
            Interlocked.MemoryBarrier(); // pairs with the push's compare-and-swap
            if (Volatile.Read(ref _head) is null)
                return;
        }
        Closure? list = Interlocked.Exchange(ref _head, null);
        // Reverse the stack into arrival order.
        Closure? fifo = null;
        while (list is not null)
        {
            var next = list._waitNext;
            list._waitNext = fifo;
            fifo = list;
            list = next;
        }
        ExceptionDispatchInfo? first = null;
        while (fifo is not null)
        {
            var closure = fifo;
            fifo = closure._waitNext; // read before waking: the closure may re-wait at once
            closure._waitNext = null;
            try
            {
                closure.WokenFromList();
            }
#pragma warning disable CA1031 // every waiter must be woken; the first failure is rethrown below
            catch (Exception e)
            {
                first ??= ExceptionDispatchInfo.Capture(e);
            }
#pragma warning restore CA1031
        }
        first?.Throw();
    }

    /// <summary>
    /// Blocks the calling thread until <paramref name="condition"/> returns <see langword="true"/>,
    /// re-checking it after each <see cref="WakeUp"/> (<c>closure_wait_event</c>). Whoever makes the
    /// condition true must call <see cref="WakeUp"/> afterwards.
    /// </summary>
    /// <param name="condition">Tested on the calling thread; must not throw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> is null.</exception>
    /// <remarks>
    /// Thread safety: safe from any thread. On success it wakes the whole list once more to take its
    /// own closure off, so every other waiter re-checks too (a thundering herd, by design: waiters are
    /// few and the list keeps no per-waiter condition). Allocates one closure if it has to wait.
    /// </remarks>
    public void WaitUntil(Func<bool> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition())
            return;
        var closure = new Closure();
        while (true)
        {
            closure.TryWaitOn(this);
            if (condition())
                break;
            closure.Sync(); // until a WakeUp drops our entry
        }
        WakeUp();            // takes our entry off (unless a concurrent WakeUp already holds it)
        closure.ReturnSync(); // waits for that concurrent waker, then finishes
    }

    /// <summary>As <see cref="WaitUntil"/>, without blocking a thread.</summary>
    /// <param name="condition">Tested on the awaiting code's context; must not throw.</param>
    /// <returns>A task that completes once <paramref name="condition"/> returned <see langword="true"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="condition"/> is null.</exception>
    /// <remarks>Thread safety: as <see cref="WaitUntil"/>.</remarks>
    public async Task WaitUntilAsync(Func<bool> condition)
    {
        ArgumentNullException.ThrowIfNull(condition);
        if (condition())
            return;
        var closure = new Closure();
        while (true)
        {
            closure.TryWaitOn(this);
            if (condition())
                break;
            await closure.SyncAsync().ConfigureAwait(false);
        }
        WakeUp();
        await closure.ReturnSyncAsync().ConfigureAwait(false);
    }
}
