namespace Primitives.Closures;

// What the debug registry reads.
public partial class Closure
{
    internal ClosureDebug.Entry? DebugEntry => _debug;

    /// <summary>A racy snapshot for the debug listing (fields may be mid-change).</summary>
    internal (int State, Action<Closure>? Continuation, IClosureExecutor? Executor) DebugView() =>
        (Volatile.Read(ref _state), _continuation, (Volatile.Read(ref _state) & State.Sleeping) != 0 ? null : _resume as IClosureExecutor);
}
