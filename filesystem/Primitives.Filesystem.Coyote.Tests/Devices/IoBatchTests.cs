namespace Primitives.Filesystem.Coyote.Tests.Devices;

/// <summary>Coyote tests of the closure-driven device submission.</summary>
public sealed class IoBatchTests(ITestOutputHelper output) : CoyoteTestBase(output)
{
    [Fact]
    public void TestSubmittedIoContinuesOnceWithTheFirstError() => this.RunScenario(IoBatchScenarios.SubmittedIoContinuesOnceAfterEveryCompletionWithTheError);
}
