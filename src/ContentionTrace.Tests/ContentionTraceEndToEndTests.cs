using System.Text.Json;

namespace ContentionTrace.Tests;

/// <summary>
/// The sample traces its built-in workload in a child process; the report's numbers are checked
/// against the workload's own account of what it did. Exact counts for the deterministic phases
/// (each iteration forces exactly one wait), lower bounds for waits (the holder measured how long it
/// kept the lock after the waiter queued), and the runtime's Monitor numbers as lower bounds (other
/// Monitors, such as the six lock's own wait-list lock, add to them).
/// </summary>
public class ContentionTraceEndToEndTests
{
    private const int Iterations = 20;
    private const int HoldMs = 2;

    [Fact]
    public void ReportMatchesWhatTheWorkloadDid()
    {
        var (exit, stdout, stderr) = SampleProcess.Run("--json", "--iterations", $"{Iterations}", "--hold-ms", $"{HoldMs}");
        Assert.True(exit == 0, $"exit {exit}\n{stderr}\n{stdout}");
        using var doc = JsonDocument.Parse(stdout);
        var report = doc.RootElement;
        var expected = report.GetProperty("expected");
        Assert.Equal(Iterations, expected.GetProperty("iterations").GetInt32());
        Assert.Equal(report.GetProperty("processId").GetInt32(), expected.GetProperty("processId").GetInt32());

        var classes = report.GetProperty("sixLock").EnumerateArray().ToDictionary(c => c.GetProperty("lockClass").GetString()!);
        var expectedClasses = expected.GetProperty("sixLockClasses").EnumerateArray().ToArray();
        Assert.Equal(3, expectedClasses.Length);
        foreach (var e in expectedClasses)
        {
            string name = e.GetProperty("lockClass").GetString()!;
            Assert.True(classes.TryGetValue(name, out var c), $"no contention traced on {name}");
            int contentions = e.GetProperty("contentions").GetInt32();
            Assert.Equal(Iterations, contentions);
            Assert.Equal(contentions, c.GetProperty("contentions").GetInt32());
            Assert.Equal(contentions, c.GetProperty("starts").GetInt32()); // every start has its stop
            int type = e.GetProperty("type").GetInt32();
            Assert.Equal(type == 0 ? contentions : 0, c.GetProperty("read").GetInt32());
            Assert.Equal(0, c.GetProperty("intent").GetInt32());
            Assert.Equal(type == 2 ? contentions : 0, c.GetProperty("write").GetInt32());
            Assert.Equal(e.GetProperty("handedOver").GetInt32(), c.GetProperty("handedOver").GetInt32());
            Assert.Equal(0, c.GetProperty("barged").GetInt32());
            Assert.Equal(0, c.GetProperty("notAcquired").GetInt32());

            var waits = c.GetProperty("waits");
            double minHold = e.GetProperty("minHoldMicroseconds").GetDouble();
            Assert.True(minHold >= HoldMs * 1000, $"{name}: the workload held only {minHold} us");
            Assert.True(waits.GetProperty("minMicroseconds").GetDouble() >= minHold, $"{name}: a wait shorter than the hold: {waits}");
            Assert.True(waits.GetProperty("totalMicroseconds").GetDouble() >= contentions * minHold);
            // Percentiles come from TimeStats' histogram: never below the smallest wait (up to the
            // sub-nanosecond truncation of converting microseconds to ticks), and ordered.
            double p50 = waits.GetProperty("p50Microseconds").GetDouble();
            Assert.True(p50 >= minHold - 0.01, $"{name}: p50 {p50} below the hold {minHold}");
            Assert.True(waits.GetProperty("p90Microseconds").GetDouble() >= p50);
            Assert.True(waits.GetProperty("p99Microseconds").GetDouble() >= waits.GetProperty("p90Microseconds").GetDouble());
            Assert.True(waits.GetProperty("p99Microseconds").GetDouble() <= waits.GetProperty("maxMicroseconds").GetDouble() + 0.01);

            // The stacks resolve to the workload method that waited.
            var site = c.GetProperty("topCallSites").EnumerateArray().First();
            Assert.Contains("ContentionTrace.Workload", site.GetProperty("method").GetString(), StringComparison.Ordinal);
        }

        // The mixed phase: whatever happened, no start without its stop.
        foreach (var c in classes.Values)
        {
            Assert.Equal(c.GetProperty("starts").GetInt32(), c.GetProperty("contentions").GetInt32());
            Assert.Equal(c.GetProperty("contentions").GetInt32(),
                c.GetProperty("handedOver").GetInt32() + c.GetProperty("barged").GetInt32() + c.GetProperty("notAcquired").GetInt32());
        }

        var monitorExpected = expected.GetProperty("monitor");
        Assert.Equal(Iterations, monitorExpected.GetProperty("contentions").GetInt32());
        Assert.True(monitorExpected.GetProperty("lockContentionCountDelta").GetInt64() >= Iterations);
        var monitor = report.GetProperty("monitor");
        Assert.True(monitor.GetProperty("contentions").GetInt64() >= Iterations, $"runtime contentions: {monitor}");
        Assert.True(monitor.GetProperty("waits").GetProperty("maxMicroseconds").GetDouble() >= HoldMs * 1000 / 2.0, $"runtime waits: {monitor}");
        Assert.True(report.GetProperty("callSitesResolved").GetBoolean(), report.GetProperty("callSitesNote").GetString());
    }

    [Fact]
    public void TextReportNamesEveryClassAndTheRuntimeNumbers()
    {
        var (exit, stdout, stderr) = SampleProcess.Run("--iterations", "3", "--hold-ms", "1");
        Assert.True(exit == 0, $"exit {exit}\n{stderr}\n{stdout}");
        foreach (string expected in new[] { "btree-node", "journal", "inode-table", "Runtime Monitor/Lock contention", "Top waiting call sites", "expected 3 read waits" })
        {
            Assert.Contains(expected, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void WorkloadAloneReportsWhatItDid()
    {
        var (exit, stdout, stderr) = SampleProcess.Run("--workload", "--iterations", "2", "--hold-ms", "1");
        Assert.True(exit == 0, $"exit {exit}\n{stderr}");
        string line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), l => l.StartsWith("expected ", StringComparison.Ordinal));
        using var doc = JsonDocument.Parse(line["expected ".Length..]);
        Assert.All(doc.RootElement.GetProperty("sixLockClasses").EnumerateArray(), c => Assert.Equal(2, c.GetProperty("contentions").GetInt32()));
    }

    [Theory]
    [InlineData("--pid", "abc")]
    [InlineData("--duration", "-1")]
    [InlineData("--bogus")]
    [InlineData("--workload", "--pid", "1")]
    public void BadArgumentsAreRejectedWithUsage(params string[] args)
    {
        var (exit, _, stderr) = SampleProcess.Run(args);
        Assert.Equal(2, exit);
        Assert.Contains("usage:", stderr, StringComparison.Ordinal);
    }
}
