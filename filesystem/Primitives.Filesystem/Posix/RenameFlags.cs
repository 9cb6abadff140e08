namespace Primitives.Filesystem.Posix;

/// <summary>Flags of <c>renameat2</c> (Linux values).</summary>
[Flags]
public enum RenameFlags : uint
{
    /// <summary>Replace the target if it exists.</summary>
    None = 0,

    /// <summary>Fail with EEXIST if the target exists.</summary>
    NoReplace = 1,

    /// <summary>Atomically exchange source and target (both must exist).</summary>
    Exchange = 2,
}
