using NuGetConsumer;
using Primitives.Closures;
using Primitives.Counters;
using Primitives.Locking;
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

var six = new SixLock(name: "consumer");
using (six.Intent())
{
    bool readerAdmitted = Task.Run(() => { bool got = six.TryLock(SixLockType.Read); if (got) six.Unlock(SixLockType.Read); return got; }).Result;
    bool intentExcluded = !Task.Run(() => six.TryLock(SixLockType.Intent)).Result;
    using (six.Write()) { }
    Check("SixLock intent admits readers, excludes intent; write bumps seq", readerAdmitted && intentExcluded && six.Seq == 1);
}
bool threw = false;
try { six.Lock(SixLockType.Write); } catch (SixLockException) { threw = true; }
Check("SixLock write without intent throws SixLockException", threw);
using (var intent = await six.IntentAsync())
using (await six.WriteAsync(intent)) { }
Check("SixLock async intent + write", six.Seq == 2 && !six.IsHeld);

int done = 0;
var parent = new Closure();
var finished = new TaskCompletionSource<int>();
for (int i = 0; i < 100; i++)
{
    var child = new Closure(parent);
    _ = Task.Run(() => { Interlocked.Increment(ref done); child.Return(); });
}
// The continuation records how many children had completed when it ran: all of them.
parent.ContinueAt(p => { finished.SetResult(Volatile.Read(ref done)); p.Return(); }, ClosureExecutors.ThreadPool);
Check("Closure parent continues only after its 100 children", await finished.Task == 100);
var device = new Closure();
for (int i = 0; i < 10; i++) { device.Get(); ThreadPool.QueueUserWorkItem(_ => device.Put()); }
device.ReturnSync();
Check("Closure ReturnSync waits for everything in flight", device.IsFinished);

foreach (var (name, ok) in checks) Console.WriteLine($"  {(ok ? "ok  " : "FAIL")} {name}");
foreach (var p in problems) Console.WriteLine($"  FAIL package: {p}");
int failed = checks.Count(c => !c.Ok) + problems.Count;
Console.WriteLine(failed == 0 ? $"package and API checks passed ({checks.Count} API checks)" : $"{failed} check(s) failed");
return failed == 0 ? 0 : 1;
