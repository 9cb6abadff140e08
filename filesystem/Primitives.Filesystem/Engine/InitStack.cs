namespace Primitives.Filesystem.Engine;

/// <summary>
/// The undo stack of a multi-step initialisation (mount): every step that acquires something pushes
/// the action that releases it; on failure the actions run in reverse order. An undo action that
/// throws does not stop the others: its exception is collected and reported next to the original
/// failure, never instead of it.
/// </summary>
/// <remarks>Not thread-safe: one initialising thread owns it.</remarks>
internal sealed class InitStack
{
    private readonly Stack<(string Step, Func<ValueTask> Undo)> _undo = new();

    /// <summary>The steps pushed so far, oldest first (for diagnostics and tests).</summary>
    public IReadOnlyList<string> Steps => _undo.Reverse().Select(e => e.Step).ToArray();

    /// <summary>Registers the undo action of a completed step.</summary>
    public void Push(string step, Func<ValueTask> undo) => _undo.Push((step, undo));

    /// <summary>Registers the undo action of a completed step.</summary>
    public void Push(string step, Action undo) => _undo.Push((step, () => { undo(); return ValueTask.CompletedTask; }));

    /// <summary>Forgets every undo action: initialisation succeeded and the owner now releases things itself.</summary>
    public void Commit() => _undo.Clear();

    /// <summary>Runs every undo action in reverse order; returns the exceptions they threw (empty when teardown was clean).</summary>
    public async ValueTask<IReadOnlyList<Exception>> UnwindAsync()
    {
        var errors = new List<Exception>();
        while (_undo.TryPop(out var entry))
        {
            try
            {
                await entry.Undo().ConfigureAwait(false);
            }
            catch (Exception e)
            {
                errors.Add(new InvalidOperationException($"undo of mount step '{entry.Step}' failed: {e.Message}", e));
            }
        }

        return errors;
    }
}
