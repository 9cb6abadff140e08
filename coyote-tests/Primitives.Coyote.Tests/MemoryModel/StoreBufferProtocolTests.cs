namespace Primitives.Coyote.Tests.MemoryModel;

/// <summary>
/// Coyote finds the weak-memory variants of the two protocols on the explicit store-buffer model
/// and finds nothing in the ordered ones.
/// </summary>
public sealed class StoreBufferProtocolTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact]
    public void TestHandoffWithPlainFlagStoreCorruptsWaiterUnderStoreReordering() => this.RunScenario(HandoffPublication.PlainStoreUnderPso);

    [Fact]
    public void TestHandoffWithReleaseFlagStoreHoldsUnderStoreReordering() => this.RunScenario(HandoffPublication.ReleaseStoreUnderPso);

    [Fact]
    public void TestHandoffWithPlainFlagStoreHoldsUnderTso() => this.RunScenario(HandoffPublication.PlainStoreUnderTso);

    [Fact]
    public void TestPerCpuReaderAndWriterBothEnterWithoutFence() => this.RunScenario(PerCpuReaderDekker.WithoutFenceUnderTso);

    [Fact]
    public void TestPerCpuReaderAndWriterExcludeEachOtherWithFence() => this.RunScenario(PerCpuReaderDekker.FencedUnderTso);
}
