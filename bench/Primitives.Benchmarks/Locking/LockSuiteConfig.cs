using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using Perfolizer.Horology;
using BenchmarkDotNet.Jobs;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// The small job of the contention suites (handoff, mixes, intent with readers, per-CPU readers,
/// fairness): one launch, 2 warm-up and 5 measured iterations of about 150 ms each, no overhead
/// evaluation (every invocation runs for tens of microseconds at least, a few thousand times the
/// overhead of a call). About 2 to 3 seconds a case including the process start, so all of them
/// together fit in about 10 minutes on 2 cores. Adds an operations-per-second column. The smoke
/// run (<c>--smoke</c>) overrides the job with its dry in-process one.
/// </summary>
public sealed class LockSuiteConfig : ManualConfig
{
    public LockSuiteConfig()
    {
        AddJob(Job.Default
            .WithLaunchCount(1)
            .WithWarmupCount(2)
            .WithIterationCount(5)
            .WithIterationTime(TimeInterval.FromMilliseconds(150))
            .WithEvaluateOverhead(false)
            .WithUnrollFactor(1)
            .WithId("LockSuite"));
        AddColumn(StatisticColumn.OperationsPerSecond);
    }
}
