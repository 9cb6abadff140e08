using Microsoft.Coyote.Specifications;
using Primitives.Closures;

namespace Primitives.Coyote.Tests.Closures;

/// <summary>
/// <see cref="Closure"/> under Coyote: every continuation runs on <see cref="ClosureExecutors.TaskRun"/>
/// or inline (the thread pool executor is invisible to Coyote), every wait parks on a Monitor or a
/// TaskCompletionSource, and every state change is an Interlocked/Volatile scheduling point.
/// Ghost variables are plain fields (not scheduling points), so they change atomically with the
/// call edges around them.
/// </summary>
internal static class ClosureScenarios
{
    /// <summary>
    /// The Oct 2023 race: while the owner syncs, a worker that holds a reference does a get/put
    /// pair of its own, writes its result and drops its reference, and a third task does a
    /// TryGetNotZero/put pair. Sync must not return before the worker's put, must return with the
    /// closure re-armed, and the worker's write must be visible.
    /// </summary>
    [CoyoteScenario("closures.sync.concurrent-get-put-pairs", Iterations = 300)]
    public static async Task SyncWaitsThroughConcurrentGetPutPairs()
    {
        var cl = new Closure();
        int result = 0;
        bool workerPut = false;
        cl.Get(); // the worker's reference, taken by the owner
        var worker = Task.Run(() =>
        {
            cl.Get();
            cl.Put();
            result = 42;
            workerPut = true;
            cl.Put();
        });
        var bystander = Task.Run(() =>
        {
            if (cl.TryGetNotZero())
                cl.Put();
        });
        cl.Sync();
        Specification.Assert(workerPut, "Sync returned before the worker dropped its reference");
        Specification.Assert(result == 42, $"Sync returned without the worker's write: {result}");
        await bystander;
        // The bystander may have taken its reference after Sync; it has dropped it now.
        Specification.Assert(cl.Remaining == 1, $"after Sync the closure is {cl}");
        await worker;
        cl.Return();
        Specification.Assert(cl.IsFinished, $"not finished: {cl}");
    }

    /// <summary>Puts from several tasks race to zero: the continuation runs exactly once, after all of them.</summary>
    [CoyoteScenario("closures.continuation.exactly-once", Iterations = 300)]
    public static async Task ContinuationRunsExactlyOnce()
    {
        const int Workers = 3;
        var cl = new Closure();
        int puts = 0, runs = 0, putsSeen = -1;
        var done = new TaskCompletionSource();
        var workers = new Task[Workers];
        for (int i = 0; i < Workers; i++)
        {
            cl.Get();
            workers[i] = Task.Run(() =>
            {
                puts++;
                cl.Put();
            });
        }
        cl.ContinueAt(c =>
        {
            runs++;
            putsSeen = puts;
            c.Return();
            done.SetResult();
        }, ClosureExecutors.TaskRun);
        await done.Task;
        await Task.WhenAll(workers);
        Specification.Assert(runs == 1, $"the continuation ran {runs} times");
        Specification.Assert(putsSeen == Workers, $"the continuation ran after {putsSeen} of {Workers} puts");
    }

    /// <summary>
    /// A parent with two children (each with a grandchild), all finishing on their own tasks: the
    /// parent's continuation runs once, after every descendant's work, and the children's
    /// continuations run before it.
    /// </summary>
    [CoyoteScenario("closures.parent-child.completion-order", Iterations = 300)]
    public static async Task ParentCompletesAfterAllDescendants()
    {
        var root = new Closure();
        int leavesDone = 0, childrenDone = 0, rootRuns = 0;
        var finished = new TaskCompletionSource();
        for (int i = 0; i < 2; i++)
        {
            var child = new Closure(root);
            Closure.Call(static g => { }, executor: null, child).Return(); // an empty grandchild, finished inline
            Closure.Call(g => { leavesDone++; g.Return(); }, ClosureExecutors.TaskRun, child);
            child.ContinueAt(c => { childrenDone++; c.Return(); }, ClosureExecutors.TaskRun);
        }
        root.ContinueAt(r =>
        {
            rootRuns++;
            Specification.Assert(leavesDone == 2, $"root continued after {leavesDone} of 2 leaves");
            Specification.Assert(childrenDone == 2, $"root continued after {childrenDone} of 2 children");
            r.Return();
            finished.SetResult();
        }, ClosureExecutors.TaskRun);
        await finished.Task;
        Specification.Assert(rootRuns == 1, $"root continuation ran {rootRuns} times");
        Specification.Assert(root.IsFinished, $"root not finished: {root}");
    }

    /// <summary>
    /// Sync with a zero timeout races the last put: either the undo wins (false, the closure is
    /// running with the reference still outstanding) or the completion wins (true, re-armed);
    /// never both, never neither, and a later Sync always completes.
    /// </summary>
    [CoyoteScenario("closures.sync.timeout-races-completion", Iterations = 300)]
    public static async Task SyncTimeoutRacesCompletion()
    {
        var cl = new Closure();
        bool put = false;
        cl.Get();
        var worker = Task.Run(() =>
        {
            put = true;
            cl.Put();
        });
        bool completed = cl.Sync(TimeSpan.Zero);
        if (completed)
        {
            Specification.Assert(put, "Sync reported completion before the put");
            Specification.Assert(cl.Remaining == 1, $"completed Sync left {cl}");
        }
        else
        {
            int remaining = cl.Remaining;
            Specification.Assert(remaining is 1 or 2, $"timed-out Sync left {cl}");
            cl.Sync(); // the put is still ours to wait for (or already happened)
        }
        Specification.Assert(cl.Remaining == 1 && put, $"after the second Sync: {cl}, put={put}");
        await worker;
        cl.Return();
    }

    /// <summary>
    /// Two waiters wait for their own ticket with WaitUntil while a producer advances the counter
    /// and wakes the list after each step: a lost wake-up leaves a waiter parked forever, which
    /// Coyote reports as a deadlock.
    /// </summary>
    [CoyoteScenario("closures.wait-event.no-lost-wakeup", Iterations = 300)]
    public static async Task WaitUntilLosesNoWakeup()
    {
        var list = new ClosureWaitList();
        int counter = 0;
        var waiters = new Task[2];
        for (int i = 0; i < waiters.Length; i++)
        {
            int target = i + 1;
            waiters[i] = Task.Run(() => list.WaitUntil(() => Volatile.Read(ref counter) >= target));
        }
        var producer = Task.Run(() =>
        {
            for (int s = 1; s <= 2; s++)
            {
                Volatile.Write(ref counter, s);
                list.WakeUp();
            }
        });
        await Task.WhenAll(new[] { waiters[0], waiters[1], producer });
        Specification.Assert(list.IsEmpty, "a waiter's entry was left on the list");
    }

    /// <summary>
    /// A closure waits on a list and parks in Sync while a waker wakes the list: the wake-up is
    /// never lost, whichever comes first, and the closure can wait again afterwards.
    /// </summary>
    [CoyoteScenario("closures.waitlist.wake-vs-wait", Iterations = 300)]
    public static async Task WakeUpRacesWait()
    {
        var list = new ClosureWaitList();
        bool ready = false;
        var cl = new Closure();
        var waker = Task.Run(() =>
        {
            ready = true;
            list.WakeUp();
        });
        while (true)
        {
            cl.TryWaitOn(list);
            if (ready)
                break;
            cl.Sync();
        }
        await waker;
        list.WakeUp(); // take our own entry off if the waker missed it
        cl.Sync();
        Specification.Assert(cl.Remaining == 1 && list.IsEmpty, $"after the wait: {cl}, list empty={list.IsEmpty}");
        cl.Return();
    }

    /// <summary>Async: SyncAsync against puts from tracked tasks, then ReturnSyncAsync finishes the closure.</summary>
    [CoyoteScenario("closures.async.sync-async-tracks-tasks", Iterations = 200)]
    public static async Task SyncAsyncWaitsForTrackedTasks()
    {
        var cl = new Closure();
        int done = 0;
        cl.Track(Task.Run(() => { done++; }));
        cl.Track(Task.Run(async () => { await Task.Yield(); done++; }));
        await cl.SyncAsync();
        Specification.Assert(done == 2, $"SyncAsync completed after {done} of 2 tasks");
        Specification.Assert(cl.Remaining == 1, $"after SyncAsync: {cl}");
        cl.Track(Task.Run(() => { done++; }));
        await cl.ReturnSyncAsync();
        Specification.Assert(done == 3 && cl.IsFinished, $"after ReturnSyncAsync: done={done}, {cl}");
    }

    /// <summary>
    /// Repeated syncs on one task reuse its wait record while the previous waker may still be
    /// running: a waker that touched the record after signalling would complete the next wait
    /// early (bug 1). Must pass with the real code.
    /// </summary>
    [CoyoteScenario("closures.sync.reused-wait-record", Iterations = 300)]
    public static async Task BackToBackSyncsReuseTheWaitRecord()
    {
        var a = new Closure();
        var b = new Closure();
        bool bPut = false;
        a.Get();
        b.Get();
        var first = Task.Run(a.Put);
        var second = Task.Run(() => { bPut = true; b.Put(); });
        a.Sync();
        b.Sync();
        Specification.Assert(bPut, $"the second Sync returned before its put: {b}");
        await Task.WhenAll(new[] { first, second });
        a.Return();
        b.Return();
    }

    /// <summary>
    /// A chain of steps hopping between a user-supplied serial executor and Task.Run while two
    /// workers' puts race: each step runs once, in order, on the executor it asked for.
    /// (<see cref="DedicatedThreadExecutor"/> starts a real thread, which Coyote 1.7 reports as
    /// uncontrolled; its unit tests cover it. This serial executor is its Coyote-visible twin.)
    /// </summary>
    [CoyoteScenario("closures.executor.user-executor-chain", Iterations = 200)]
    public static async Task StepsHopBetweenExecutorsInOrder()
    {
        var steps = new List<string>();
        var finished = new TaskCompletionSource();
        var io = new SerialTaskExecutor();
        var cl = new Closure();
        cl.Get();
        cl.Get();
        var workers = new[] { Task.Run(cl.Put), Task.Run(cl.Put) };
        cl.ContinueAt(c =>
        {
            steps.Add("io");
            c.Get();
            _ = Task.Run(c.Put);
            c.ContinueAt(d =>
            {
                steps.Add("pool");
                d.Return();
                finished.SetResult();
            }, ClosureExecutors.TaskRun);
        }, io);
        await finished.Task;
        await Task.WhenAll(workers);
        Specification.Assert(steps.Count == 2 && steps[0] == "io" && steps[1] == "pool", $"steps: {string.Join(",", steps)}");
        Specification.Assert(cl.IsFinished, $"not finished: {cl}");
    }

    /// <summary>
    /// A stranger (holding no reference) races TryGetNotZero/Put against the owner's
    /// ReturnWithDestructor: it either gets in before zero (and its put then finishes the closure)
    /// or fails; the destructor and the parent's release happen exactly once, never twice, and a
    /// finished closure is never resurrected.
    /// </summary>
    [CoyoteScenario("closures.try-get-not-zero.never-resurrects", Iterations = 300)]
    public static async Task TryGetNotZeroNeverResurrects()
    {
        var parent = new Closure();
        var cl = new Closure(parent);
        int destructed = 0, parentRuns = 0;
        bool gotIn = false;
        var parentDone = new TaskCompletionSource();
        parent.ContinueAt(p => { parentRuns++; p.Return(); parentDone.SetResult(); }, ClosureExecutors.TaskRun);
        var stranger = Task.Run(() =>
        {
            if (cl.TryGetNotZero())
            {
                gotIn = true;
                cl.Put();
            }
        });
        cl.ReturnWithDestructor(_ => destructed++);
        await stranger;
        await parentDone.Task;
        Specification.Assert(destructed == 1 && parentRuns == 1, $"destructor ran {destructed}, parent continued {parentRuns} times (stranger got in: {gotIn})");
        Specification.Assert(cl.IsFinished && !cl.TryGetNotZero(), $"finished closure resurrected: {cl}");
    }

    /// <summary>
    /// The async wait-event: two WaitUntilAsync waiters and a producer; a lost wake-up leaves a
    /// waiter's task incomplete forever (Coyote reports the deadlock).
    /// </summary>
    [CoyoteScenario("closures.wait-event.async-no-lost-wakeup", Iterations = 200)]
    public static async Task WaitUntilAsyncLosesNoWakeup()
    {
        var list = new ClosureWaitList();
        int counter = 0;
        var first = Task.Run(() => list.WaitUntilAsync(() => Volatile.Read(ref counter) >= 1));
        var second = Task.Run(() => list.WaitUntilAsync(() => Volatile.Read(ref counter) >= 2));
        var producer = Task.Run(() =>
        {
            Volatile.Write(ref counter, 1);
            list.WakeUp();
            Volatile.Write(ref counter, 2);
            list.WakeUp();
        });
        await Task.WhenAll(new[] { first, second, producer });
        Specification.Assert(list.IsEmpty, "a waiter's entry was left on the list");
    }

    /// <summary>
    /// A deliberately broken user protocol: a worker takes its reference with Get only after the
    /// owner may already have returned the closure. The guard bits report it (instead of a wrapped
    /// count or a second completion) in the interleavings where the closure has finished.
    /// </summary>
    public const string LateGet = "Get on a closure whose count is zero";

    [CoyoteScenario("closures.misuse.late-get-is-reported", ExpectedError = LateGet, Iterations = 300)]
    public static async Task LateGetIsReported()
    {
        var cl = new Closure();
        var worker = Task.Run(() =>
        {
            cl.Get(); // BUG: should have been taken by the owner before handing the closure over
            cl.Put();
        });
        cl.Return();
        await worker;
    }

    /// <summary>A user executor: runs work one item at a time, in order, on Task.Run drains.</summary>
    private sealed class SerialTaskExecutor : IClosureExecutor
    {
        private readonly object _gate = new();
        private readonly Queue<IThreadPoolWorkItem> _queue = new();
        private bool _draining; // guarded by _gate

        public void Enqueue(IThreadPoolWorkItem work)
        {
            lock (_gate)
            {
                _queue.Enqueue(work);
                if (_draining)
                    return;
                _draining = true;
            }
            _ = Task.Run(Drain);
        }

        private void Drain()
        {
            while (true)
            {
                IThreadPoolWorkItem work;
                lock (_gate)
                {
                    if (_queue.Count == 0)
                    {
                        _draining = false;
                        return;
                    }
                    work = _queue.Dequeue();
                }
                work.Execute();
            }
        }
    }
}
