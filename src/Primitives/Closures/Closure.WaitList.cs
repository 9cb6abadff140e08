namespace Primitives.Closures;

// A closure's side of wait lists: parking on one list at a time.
public partial class Closure
{
    /// <summary>
    /// Puts the closure on <paramref name="list"/> until the list's next <see cref="ClosureWaitList.WakeUp"/>,
    /// holding one reference for as long as it is there, so a <see cref="ContinueAt"/> or
    /// <see cref="Sync()"/> that follows waits for the wake-up (<c>closure_wait</c>).
    /// </summary>
    /// <param name="list">The list to wait on.</param>
    /// <returns>
    /// <see langword="false"/> if the closure is already on a list (a closure waits on one list at
    /// a time; it was not added again); otherwise <see langword="true"/>.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="list"/> is null.</exception>
    /// <exception cref="ClosureStateException">The closure has finished or holds the maximum number of references.</exception>
    /// <remarks>
    /// Thread safety: only the owner of the running step may call it. The push is a
    /// compare-and-swap (a full fence): a condition the caller checks after this returns is read
    /// after the closure is visible on the list, which pairs with the full fence that starts
    /// <see cref="ClosureWaitList.WakeUp"/> after the waker changes the condition. So either the
    /// caller sees the new condition or the waker sees the closure: no lost wake-up.
    /// </remarks>
    public bool TryWaitOn(ClosureWaitList list)
    {
        ArgumentNullException.ThrowIfNull(list);
        int s = Volatile.Read(ref _state);
        while (true)
        {
            if ((s & State.Waiting) != 0)
                return false;
            if ((s & State.RemainingMask) == 0 || (s & State.RemainingMask) == State.RemainingMask || (s & State.GuardMask) != 0)
                throw ClosureStateException.Create(this, s, "TryWaitOn on a finished closure, or the count would overflow");
            _getHappened = true;
            int seen = Interlocked.CompareExchange(ref _state, s + State.Waiting + 1, s);
            if (seen == s)
                break;
            s = seen;
        }
        list.Push(this);
        return true;
    }

    /// <summary>Called by the list that dequeued this closure: drops WAITING and its reference.</summary>
    internal void WokenFromList()
    {
        SubState(State.Waiting + 1);
    }
}
