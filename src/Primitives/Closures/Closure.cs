using System.Runtime.CompilerServices;
#if PRIMITIVES_MUTANTS
using Primitives.Internal;
#endif

namespace Primitives.Closures;

/// <summary>
/// A refcounted continuation: counts the things in progress on behalf of one operation (in-flight
/// I/Os, child operations, wait-list entries) and runs a continuation, on an executor of your
/// choice, when the count reaches zero. Closures form a tree: a child holds a reference on its
/// parent, so the parent continues only when every child has finished.
/// </summary>
/// <remarks>
/// <para>
/// A closure is created <em>running</em>: the creator owns a step that holds one reference. The
/// owner takes a reference per piece of work it starts (<see cref="Get()"/>); each piece drops it when
/// done (<see cref="Put"/>). The owner then ends its step with <see cref="ContinueAt"/> (run the next
/// step when everything is done), <see cref="Return"/> (finish and release the parent) or
/// <see cref="ReturnWithDestructor"/>, and must not touch the closure afterwards except through
/// references it still holds. The next step runs with the closure re-armed (running, one reference),
/// owned by the continuation. Alternatively the owner blocks until the work is done with
/// <see cref="Sync()"/>, <see cref="Sync(TimeSpan)"/> or <see cref="SyncAsync"/> and keeps its step.
/// </para>
/// <para>
/// The count and the flags live in one 32-bit word with a guard bit above each field, so misuse
/// (a put below zero, a count overflow, a second <see cref="ContinueAt"/>, a closure put to zero while
/// its step still runs) throws <see cref="ClosureStateException"/> at the call that did it and never
/// leaves a wrapped count behind.
/// </para>
/// <para>
/// Thread safety: <see cref="Get()"/>, <see cref="TryGetNotZero"/>, <see cref="Put"/>, <see cref="Sub"/>,
/// <see cref="Track"/> and <see cref="Remaining"/> may be called from any thread by anyone holding a
/// reference. The step operations (<see cref="ContinueAt"/>, <see cref="Return"/>,
/// <see cref="ReturnWithDestructor"/>, the <c>Sync</c> family, <see cref="TryWaitOn"/>) belong to the
/// owner of the running step and must not race with each other. The class may be derived from, so
/// that an operation object is its own closure (one allocation per operation).
/// </para>
/// <para>
/// Memory ordering: every change of the word while references may be held is an
/// <see cref="Interlocked"/> operation, which is a full fence in .NET (comments call it "the word's
/// full fence"). So a <see cref="Put"/> releases the putter's earlier writes, and the thread whose
/// put reaches zero (which then reads the continuation and runs or queues it) acquires every
/// earlier putter's writes. Only at zero, when nobody can hold a reference, is the word re-armed
/// or cleared with a release write (<see cref="Volatile.Write(ref int, int)"/>), whose partners are
/// the acquire reads in <c>Sync</c> and the compare-and-swap in <see cref="TryGetNotZero"/>.
/// </para>
/// </remarks>
public partial class Closure
{
    private int _state; // see State for layout

    /// <summary>
    /// Set by every operation that adds references (<see cref="Get()"/>, <see cref="TryGetNotZero"/>, a
    /// child, <see cref="TryWaitOn"/>) and cleared when the count reaches zero. <c>Sync</c> may skip
    /// the wait only when it is clear: a count of one alone does not prove a concurrent get/put pair
    /// did not happen, and skipping the wait would also skip the acquire of that put (bug 2).
    /// Written before the adding <see cref="Interlocked"/> operation, so it is visible no later
    /// than the reference it announces.
    /// </summary>
    private bool _getHappened;

    private readonly Closure? _parent;

    /// <summary>
    /// The continuation set by the running step; read by the thread whose put reaches zero. While
    /// an executor holds the closure it stays here until <see cref="IThreadPoolWorkItem.Execute"/>
    /// takes it (nobody else may end the step in between: the step belongs to that continuation).
    /// </summary>
    private Action<Closure>? _continuation;

    /// <summary>
    /// How the step resumes when the count reaches zero, set by whatever ended it: the
    /// <see cref="IClosureExecutor"/> of <see cref="ContinueAt"/> (or null: inline), or, with
    /// SLEEPING, the sleeper of a <c>Sync</c> (a <see cref="ClosureSyncer"/> or a task source).
    /// One field for both, told apart by SLEEPING, keeps a closure at 64 bytes. Read only through
    /// <see cref="Executor"/> and <see cref="Sleeper"/>.
    /// </summary>
    private object? _resume;

    private IClosureExecutor? Executor => Unsafe.As<IClosureExecutor>(_resume); // only when SLEEPING is clear: ContinueAt stored it

    private object? Sleeper => _resume; // only when SLEEPING is set: SyncSlow/SyncAsync stored it

    /// <summary>Intrusive link while on a wait list; owned by that list until WAITING is dropped.</summary>
    internal Closure? _waitNext;

    private readonly ClosureDebug.Entry? _debug;

    /// <summary>Whether <see cref="Diagnostics.ClosureEvents"/> counted this closure's creation (so its finish counts too). Fits in the object's padding.</summary>
    private readonly bool _counted;

    /// <summary>Creates a running closure (one reference, owned by the caller's step).</summary>
    /// <param name="parent">
    /// The parent, or <see langword="null"/>. The new closure takes a reference on it that is dropped
    /// when this closure finishes, so the parent's continuation waits for this closure.
    /// </param>
    /// <param name="callerMember">The creating member, filled in by the compiler for the debug registry.</param>
    /// <param name="callerFile">The creating file, filled in by the compiler for the debug registry.</param>
    /// <param name="callerLine">The creating line, filled in by the compiler for the debug registry.</param>
    /// <exception cref="ClosureStateException"><paramref name="parent"/> has finished or has too many references.</exception>
    /// <remarks>Thread safety: the caller must hold a reference on <paramref name="parent"/> (or own its step).</remarks>
    public Closure(
        Closure? parent = null,
        [CallerMemberName] string callerMember = "",
        [CallerFilePath] string callerFile = "",
        [CallerLineNumber] int callerLine = 0)
    {
        parent?.Get();
        _parent = parent;
        _state = State.Initial;
        if (ClosureDebug.IsEnabled)
            _debug = ClosureDebug.Register(this, callerMember, callerFile, callerLine);
        if (Diagnostics.ClosureEvents.s_counting)
        {
            _counted = true;
            Diagnostics.ClosureEvents.OnCreated();
        }
    }

    /// <summary>
    /// Creates a closure and queues <paramref name="continuation"/> on <paramref name="executor"/> at
    /// once (<c>closure_call</c>): the continuation owns the new closure's running step.
    /// </summary>
    /// <param name="continuation">The first step.</param>
    /// <param name="executor">Where it runs; <see langword="null"/> runs it inline, before this method returns.</param>
    /// <param name="parent">The parent, or <see langword="null"/>.</param>
    /// <param name="callerMember">The creating member, filled in by the compiler.</param>
    /// <param name="callerFile">The creating file, filled in by the compiler.</param>
    /// <param name="callerLine">The creating line, filled in by the compiler.</param>
    /// <returns>The new closure. The caller holds no reference on it.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="continuation"/> is null.</exception>
    /// <exception cref="ClosureStateException"><paramref name="parent"/> has finished or has too many references.</exception>
    /// <remarks>Thread safety: safe from any thread that holds a reference on <paramref name="parent"/>.</remarks>
    public static Closure Call(
        Action<Closure> continuation,
        IClosureExecutor? executor = null,
        Closure? parent = null,
        [CallerMemberName] string callerMember = "",
        [CallerFilePath] string callerFile = "",
        [CallerLineNumber] int callerLine = 0)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        var closure = new Closure(parent, callerMember, callerFile, callerLine);
        if (executor is not null)
            closure._continuation = continuation;
        closure.Queue(continuation, executor);
        return closure;
    }

    /// <summary>The parent this closure holds a reference on until it finishes, or <see langword="null"/>.</summary>
    /// <remarks>Thread safety: immutable.</remarks>
    public Closure? Parent => _parent;

    /// <summary>
    /// The outstanding references, including the running step's and a wait-list entry's; zero once
    /// the closure has finished. A snapshot: other threads may change it at once.
    /// </summary>
    /// <remarks>Thread safety: safe from any thread (a volatile read).</remarks>
    public int Remaining => Volatile.Read(ref _state) & State.RemainingMask;

    /// <summary>Whether the closure has finished (count zero, not re-armed). A snapshot.</summary>
    /// <remarks>Thread safety: safe from any thread (a volatile read).</remarks>
    public bool IsFinished => Volatile.Read(ref _state) == 0;

    /// <summary>Takes a reference: the closure will not continue or finish until it is dropped with <see cref="Put"/>.</summary>
    /// <exception cref="ClosureStateException">
    /// The closure has finished (use <see cref="TryGetNotZero"/> when that can happen), or it already
    /// holds the maximum number of references. The count is left unchanged.
    /// </exception>
    /// <remarks>Thread safety: safe from any thread that holds a reference or owns the running step.</remarks>
    public void Get()
    {
        _getHappened = true; // ordered before the increment by the word's full fence
        int s = Interlocked.Increment(ref _state);
        if ((s & State.GuardMask) != 0 || (s & State.RemainingMask) <= 1)
            GetFailed(s);
    }

    /// <summary>
    /// Takes <paramref name="count"/> references in one atomic operation: one per piece of a batch
    /// about to be started (the counterpart of <see cref="Sub"/>).
    /// </summary>
    /// <param name="count">The number of references to take, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or above the maximum count.</exception>
    /// <exception cref="ClosureStateException">The closure has finished, or the count would exceed the maximum. The count is left unchanged.</exception>
    /// <remarks>Thread safety: as <see cref="Get()"/>.</remarks>
    public void Get(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, State.RemainingMask);
        _getHappened = true; // ordered before the add by the word's full fence
        int s = Interlocked.Add(ref _state, count);
        if ((s & State.GuardMask) != 0 || (s & State.RemainingMask) <= count)
        {
            Interlocked.Add(ref _state, -count); // undo
            throw ClosureStateException.Create(this, s - count, (s & State.GuardMask) != 0
                ? $"Get({count}) would overflow the remaining count"
                : $"Get({count}) on a closure whose count is zero (it has finished)");
        }
    }

    /// <summary>Takes a reference unless the closure's count is zero (it has finished or is being re-armed).</summary>
    /// <returns><see langword="true"/> if a reference was taken; the caller must <see cref="Put"/> it.</returns>
    /// <exception cref="ClosureStateException">The closure already holds the maximum number of references.</exception>
    /// <remarks>
    /// Thread safety: safe from any thread, including one that holds no reference, as long as the
    /// object itself is reachable. A compare-and-swap loop; the swap is a full fence, so a successful
    /// get acquires the state the closure was in.
    /// </remarks>
    public bool TryGetNotZero()
    {
        int s = Volatile.Read(ref _state);
        while (true)
        {
            if ((s & State.RemainingMask) == 0)
                return false;
            if ((s & State.RemainingMask) == State.RemainingMask || (s & State.GuardMask) != 0)
                throw ClosureStateException.Create(this, s, "TryGetNotZero would overflow the remaining count or the state is corrupt");
            _getHappened = true; // before the swap (see _getHappened); harmless if the swap fails
            int seen = Interlocked.CompareExchange(ref _state, s + 1, s);
            if (seen == s)
                return true;
            s = seen;
        }
    }

    /// <summary>Drops one reference. If it was the last, the continuation runs (or the closure finishes).</summary>
    /// <exception cref="ClosureStateException">
    /// No reference was outstanding (a put below zero; the count is left unchanged), or the count
    /// reached zero while the step was still running (a reference was put instead of ending the step
    /// with <see cref="ContinueAt"/> or <see cref="Return"/>).
    /// </exception>
    /// <remarks>
    /// Thread safety: safe from any thread that holds the reference. The caller's earlier writes are
    /// released to whoever continues the closure (the word's full fence). If the executor is inline,
    /// the continuation runs on the calling thread before this method returns.
    /// </remarks>
    public void Put() => SubState(1);

    /// <summary>Drops <paramref name="count"/> references in one atomic operation.</summary>
    /// <param name="count">The number of references to drop, at least 1.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is below 1 or above the maximum count.</exception>
    /// <exception cref="ClosureStateException">Fewer than <paramref name="count"/> references were outstanding (the count is left unchanged).</exception>
    /// <remarks>Thread safety: as <see cref="Put"/>.</remarks>
    public void Sub(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, State.RemainingMask);
        SubState(count);
    }

    /// <summary>
    /// Ends the running step: when every outstanding reference has been dropped,
    /// <paramref name="continuation"/> runs on <paramref name="executor"/> with the closure re-armed
    /// and owned by it. The caller must not touch the closure afterwards (it may already be running
    /// the continuation, or have finished, on another thread).
    /// </summary>
    /// <param name="continuation">The next step.</param>
    /// <param name="executor">Where it runs; <see langword="null"/> runs it inline on the thread whose put reaches zero (possibly this one, before this method returns).</param>
    /// <exception cref="ArgumentNullException"><paramref name="continuation"/> is null.</exception>
    /// <exception cref="ClosureStateException">The step is not running (a second <see cref="ContinueAt"/>, or one after <see cref="Return"/>); the state is left unchanged.</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it.</remarks>
    public void ContinueAt(Action<Closure> continuation, IClosureExecutor? executor = null)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        ThrowIfNotRunning(nameof(ContinueAt));
        _continuation = continuation;
        _resume = executor;
        SubState(State.Running + 1); // releases both fields to the thread that reaches zero
    }

    /// <summary>
    /// Ends the running step and the closure: when every outstanding reference has been dropped the
    /// closure finishes and drops its reference on <see cref="Parent"/>.
    /// </summary>
    /// <exception cref="ClosureStateException">The step is not running; the state is left unchanged.</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it.</remarks>
    public void Return()
    {
        ThrowIfNotRunning(nameof(Return));
        _continuation = null;
        _resume = null;
        SubState(State.Running + 1);
    }

    /// <summary>
    /// As <see cref="Return"/>, and runs <paramref name="destructor"/> (inline, on the thread whose put
    /// reaches zero) before the parent's reference is dropped.
    /// </summary>
    /// <param name="destructor">Releases the operation's resources; it must not throw.</param>
    /// <exception cref="ArgumentNullException"><paramref name="destructor"/> is null.</exception>
    /// <exception cref="ClosureStateException">The step is not running; the state is left unchanged.</exception>
    /// <remarks>Thread safety: only the owner of the running step may call it.</remarks>
    public void ReturnWithDestructor(Action<Closure> destructor)
    {
        ArgumentNullException.ThrowIfNull(destructor);
        ThrowIfNotRunning(nameof(ReturnWithDestructor));
        _continuation = destructor;
        _resume = null;
        SubState(State.Running + 1 - State.Destructor); // drops the step and sets DESTRUCTOR in one operation
    }

    /// <summary>The state word decoded, e.g. <c>Closure(remaining=2 RUNNING)</c>.</summary>
    /// <returns>A description of the current state (a snapshot).</returns>
    /// <remarks>Thread safety: safe from any thread.</remarks>
    public override string ToString() => $"Closure({new State(Volatile.Read(ref _state))})";

    /// <summary>
    /// Checks, before a step operation writes the continuation fields, that the step is running, so
    /// a second <see cref="ContinueAt"/> cannot overwrite the first one's continuation. (The guard
    /// bits would catch the subtraction anyway, but only after the fields were written.)
    /// </summary>
    private void ThrowIfNotRunning(string operation)
    {
        int s = Volatile.Read(ref _state);
        if ((s & State.Running) == 0)
            throw ClosureStateException.Create(this, s, $"{operation}: the step is not running (ended twice, or called by a non-owner)");
    }

    /// <summary>Subtracts <paramref name="v"/> (references and flags) and acts on zero.</summary>
    private void SubState(int v)
    {
#if PRIMITIVES_MUTANTS
        if (Mutations.IsActive(ClosureMutants.SleeperReadBeforeFinalPut))
        {
            SubStateReadingSleeperEarly(v);
            return;
        }
#endif
        // The word's full fence: releases this thread's writes; if this reaches zero, acquires every
        // earlier putter's (their partner is this same operation on the last putter's thread).
        int s = Interlocked.Add(ref _state, -v);
        if ((s & State.GuardMask) == 0 && (s & State.RemainingMask) != 0)
            return;
        SubSlow(s, v);
    }

#if PRIMITIVES_MUTANTS
    /// <summary>
    /// Bug 3: the sleeper is read before the sub that observes zero (as a missing read barrier lets
    /// the CPU do), so the waker may use a sleeper from before the syncer registered.
    /// </summary>
    private void SubStateReadingSleeperEarly(int v)
    {
        object? early = Sleeper;
        int s = Interlocked.Add(ref _state, -v);
        if (s == State.Sleeping)
        {
            WakeSleeper(early);
            return;
        }
        if ((s & State.GuardMask) == 0 && (s & State.RemainingMask) != 0)
            return;
        SubSlow(s, v);
    }
#endif

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void SubSlow(int s, int v)
    {
        if ((s & State.GuardMask) != 0)
        {
            Interlocked.Add(ref _state, v); // undo: leave the count as it was, then report
            throw ClosureStateException.Create(this, s, DescribeBadSub(s + v, v));
        }
        OnZero(s);
    }

    private static string DescribeBadSub(int before, int v)
    {
        var b = new State(before);
        if (v == State.Running + 1 || v == State.Running + 1 - State.Destructor || v == State.Running + 1 - State.Sleeping)
            return b.IsRunning
                ? "ending the step would set a flag twice"
                : "the step is not running: ContinueAt/Return/Sync called twice, or by a non-owner";
        if (v == State.Waiting + 1)
            return "dropping a wait-list entry the closure does not have";
        return $"put of {v} reference(s) below zero (remaining {b.Remaining})";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void GetFailed(int s)
    {
        Interlocked.Decrement(ref _state); // undo
        throw ClosureStateException.Create(this, s - 1, (s & State.GuardMask) != 0
            ? "Get would overflow the remaining count"
            : "Get on a closure whose count is zero (it has finished); use TryGetNotZero");
    }
}
