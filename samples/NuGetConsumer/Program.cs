using NuGetConsumer;
using Primitives.Counters;
using Primitives.Statistics;

// Consumes the packed Primitives package (never a project reference) and exercises its public API.
// Usage: NuGetConsumer PATH-TO-Primitives.VERSION.nupkg
if (args.Length != 1)
{
    Console.Error.WriteLine("usage: NuGetConsumer PATH-TO-Primitives.VERSION.nupkg");
    return 2;
}

var problems = PackageCheck.Verify(args[0]);
var checks = new List<(string Name, bool Ok)>();
void Check(string name, bool ok) => checks.Add((name, ok));

var mv = new MeanAndVariance();
foreach (long x in new long[] { 2, 2, 4, 4 }) mv.Update(x);
Check("MeanAndVariance mean 3, variance 1", mv.Mean == 3 && mv.Variance == 1);

var w = new MeanAndVarianceWeighted(2);
foreach (long x in new long[] { 10, 20, 30 }) w.Update(x);
Check("MeanAndVarianceWeighted w=2 mean 16, variance 72", w.Mean == 16 && w.Variance == 72);

var stats = new TimeStats("consumer");
using (stats.Measure()) Thread.SpinWait(100);
Check("TimeStats counts one event", stats.GetSnapshot().Count == 1);

var counter = new PerCpuCounter();
Parallel.For(0, 4, _ => { for (int i = 0; i < 10_000; i++) counter.Increment(); });
Check("PerCpuCounter sums 40,000", counter.Sum() == 40_000);

var pool = new PerCpuReservation(100, 10);
Check("PerCpuReservation refuses over capacity", pool.TryReserve(60) && !pool.TryReserve(60) && pool.Reserved == 60);

foreach (var (name, ok) in checks) Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {name}");
foreach (var p in problems) Console.WriteLine($"  FAIL package: {p}");
int failed = checks.Count(c => !c.Ok) + problems.Count;
Console.WriteLine(failed == 0 ? $"package and API checks passed ({checks.Count} API checks)" : $"{failed} check(s) failed");
return failed == 0 ? 0 : 1;
