namespace Primitives.Filesystem.Btrees;

/// <summary>
/// Deliberate bugs for must-find tests (Coyote proves its scenarios would catch them). Off in
/// normal use; a test switches one on only for its own run.
/// </summary>
internal static class BtreeMutants
{
    /// <summary>
    /// Commit takes write on one leaf at a time and releases it right after applying that leaf's keys,
    /// so a reader can see half of a commit.
    /// </summary>
    internal static bool CommitReleasesLeavesOneByOne;
}
