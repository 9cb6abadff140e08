using Primitives.Filesystem.Btrees;

namespace Primitives.Filesystem.Coyote.Tests.Btrees;

/// <summary>Coyote tests of the btree's locking; see <see cref="BtreeScenarios"/>.</summary>
public sealed class BtreeTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    private const uint MaxSteps = 200_000;

    [Fact]
    public void TestOverlappingCommitsNeverDeadlockAndReadersNeverSeeHalfACommit()
    {
        long restarts = Interlocked.Read(ref BtreeScenarios.RestartsSeen);
        this.Test(BtreeScenarios.OverlappingCommitsSplitsAndAtomicReaders, iterations: 60, maxSteps: MaxSteps, name: "btree.commits.overlapping-keys");
        long seen = Interlocked.Read(ref BtreeScenarios.RestartsSeen) - restarts;
        this.Output.WriteLine($"restarts over the iterations: {seen}; splits so far {Interlocked.Read(ref BtreeScenarios.SplitsSeen)}");
        Assert.True(seen > 0, "no iteration exercised the restart path");
    }

    [Fact]
    public void TestMergesRaceSplitsWithoutDeadlockOrLostKeys()
    {
        long merges = Interlocked.Read(ref BtreeScenarios.MergesSeen);
        this.Test(BtreeScenarios.MergesRaceSplitsAndReaders, iterations: 60, maxSteps: MaxSteps, name: "btree.merges-vs-splits");
        long seen = Interlocked.Read(ref BtreeScenarios.MergesSeen) - merges;
        this.Output.WriteLine($"merges over the iterations: {seen}");
        Assert.True(seen > 0, "no iteration merged a leaf");
    }

    /// <summary>The scenario's reader does catch a commit that is not atomic (the mutant releases each leaf right after applying it).</summary>
    [Fact]
    public void TestFindsACommitThatReleasesLeavesOneByOne()
    {
        BtreeMutants.CommitReleasesLeavesOneByOne = true;
        try
        {
            this.TestFindsBug(BtreeScenarios.OverlappingCommitsSplitsAndAtomicReaders, "a commit seen half applied", iterations: 200, maxSteps: MaxSteps, name: "btree.mutant.non-atomic-commit");
        }
        finally
        {
            BtreeMutants.CommitReleasesLeavesOneByOne = false;
        }
    }

    [Fact]
    public void TestWriteBackRacingCommitsKeepsPinsAtOrBeforeUnwrittenChanges() =>
        this.Test(BtreeScenarios.WriteBackRacingCommitsKeepsPinsAtOrBeforeUnwrittenChanges, iterations: 60, maxSteps: MaxSteps, name: "btree.write-back-vs-commits");

    [Fact]
    public void TestReadersNeverMissKeysDuringSplitsAndFlushes()
    {
        long restarts = Interlocked.Read(ref BtreeScenarios.RestartsSeen);
        this.Test(BtreeScenarios.ReadersNeverMissKeysDuringSplitsAndFlushes, iterations: 60, maxSteps: MaxSteps, name: "btree.readers-vs-splits-and-flushes");
        this.Output.WriteLine($"restarts over the iterations: {Interlocked.Read(ref BtreeScenarios.RestartsSeen) - restarts}");
    }
}
