namespace Primitives.Tests.Diagnostics;

/// <summary>
/// The diagnostics tests run alone: they turn process-wide listeners on (which would add event
/// work to the allocation tests of other classes) and read process-wide totals.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DiagnosticsCollection
{
    public const string Name = "Diagnostics";
}
