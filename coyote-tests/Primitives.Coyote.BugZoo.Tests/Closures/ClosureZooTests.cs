using Primitives.Closures;

namespace Primitives.Coyote.BugZoo.Closures;

/// <summary>Coyote finds each re-planted closure bug, and the real code passes the same scenario.</summary>
public sealed class ClosureZooTests(ITestOutputHelper output, BugZooTable table) : BugZooTestBase(output, table)
{
    [Fact]
    public void TestFindsWakerTouchingSyncerAfterSignal() => this.Zoo(
        ClosureMutants.WakerTouchesSyncerAfterSignal, "waker touches the reused syncer record after signalling (2019)",
        ClosureZooScenarios.WakerTouchesSyncer, ClosureZooScenarios.WakerTouchesSyncerBaseline);

    [Fact]
    public void TestFindsSyncSkippingAfterGetPutPair() => this.Zoo(
        ClosureMutants.SyncSkipsAfterGetPutPair, "sync skips the wait and its acquire after a get/put pair (Oct 2023)",
        ClosureZooScenarios.SyncSkipsAfterGetPut, ClosureZooScenarios.SyncSkipsAfterGetPutBaseline);

    [Fact]
    public void TestFindsSyncFastPathDisabled() => this.Zoo(
        ClosureMutants.SyncFastPathDisabled, "sync fast path disabled: sync on a finished closure wraps the count",
        ClosureZooScenarios.SyncFastPathDisabled, ClosureZooScenarios.SyncFastPathDisabledBaseline);
}
