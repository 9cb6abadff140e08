namespace Primitives.Filesystem.Fsck;

/// <summary>The result of <see cref="Fsck.RunAsync"/>: what was checked and what was found.</summary>
public sealed class FsckReport
{
    internal FsckReport(IReadOnlyList<FsckProblem> problems, FsckCounts counts, bool repairMode)
    {
        Problems = problems;
        Counts = counts;
        RepairMode = repairMode;
    }

    /// <summary>Every problem found, in the order found.</summary>
    public IReadOnlyList<FsckProblem> Problems { get; }

    /// <summary>How much was checked.</summary>
    public FsckCounts Counts { get; }

    /// <summary>Whether this was a repair pass.</summary>
    public bool RepairMode { get; }

    /// <summary>No problem found.</summary>
    public bool IsClean => Problems.Count == 0;

    /// <summary>Problems found and not repaired.</summary>
    public int Unrepaired => Problems.Count(p => !p.Repaired);

    /// <inheritdoc />
    public override string ToString()
        => IsClean
            ? $"clean: {Counts}"
            : $"{Problems.Count} problem(s), {Unrepaired} unrepaired: {Counts}{Environment.NewLine}{string.Join(Environment.NewLine, Problems)}";
}
