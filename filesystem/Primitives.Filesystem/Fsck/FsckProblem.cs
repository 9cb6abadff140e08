namespace Primitives.Filesystem.Fsck;

/// <summary>One inconsistency fsck found, and whether it was repaired.</summary>
/// <param name="Kind">What kind of problem.</param>
/// <param name="Location">Where: a bucket, a btree and position, a node address.</param>
/// <param name="Message">What is wrong, in words (expected vs found).</param>
/// <param name="Repaired">Whether the repair pass fixed it.</param>
public sealed record FsckProblem(FsckProblemKind Kind, string Location, string Message, bool Repaired)
{
    /// <inheritdoc />
    public override string ToString() => $"{Kind} at {Location}: {Message}{(Repaired ? " (repaired)" : string.Empty)}";
}
