namespace Primitives.Closures;

/// <summary>One live closure as the debug registry saw it (<see cref="ClosureDebug.GetLiveClosures"/>).</summary>
/// <remarks>Thread safety: immutable.</remarks>
public sealed class ClosureInfo
{
    internal ClosureInfo(long id, string member, string file, int line, string? continuation, string? executor,
        long? parentId, int remaining, string state, bool isWaiting)
    {
        Id = id; CreatedInMember = member; CreatedInFile = file; CreatedAtLine = line; Continuation = continuation;
        Executor = executor; ParentId = parentId; Remaining = remaining; State = state; IsWaiting = isWaiting;
    }

    /// <summary>The registry's id for the closure, in creation order.</summary>
    public long Id { get; }

    /// <summary>The member that created the closure.</summary>
    public string CreatedInMember { get; }

    /// <summary>The source file that created the closure.</summary>
    public string CreatedInFile { get; }

    /// <summary>The source line that created the closure.</summary>
    public int CreatedAtLine { get; }

    /// <summary>The pending continuation (<c>Type.Method</c>), or <see langword="null"/>.</summary>
    public string? Continuation { get; }

    /// <summary>The executor the continuation will run on, or <see langword="null"/> (inline).</summary>
    public string? Executor { get; }

    /// <summary>The parent's <see cref="Id"/>, or <see langword="null"/> (no parent, or created with the registry off).</summary>
    public long? ParentId { get; }

    /// <summary>The outstanding references.</summary>
    public int Remaining { get; }

    /// <summary>The decoded state word (count and flags).</summary>
    public string State { get; }

    /// <summary>Whether the closure is on a wait list.</summary>
    public bool IsWaiting { get; }

    /// <summary>One line: id, state, continuation, parent, creation site.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        $"#{Id} {State} continuation={Continuation ?? "-"}{(Executor is null ? "" : "@" + Executor)} parent={(ParentId is { } p ? "#" + p : "-")} created in {CreatedInMember} at {Path.GetFileName(CreatedInFile)}:{CreatedAtLine}";
}
