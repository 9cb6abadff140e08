using Microsoft.Coyote.Specifications;
using Primitives.Closures;
using Primitives.Filesystem.Devices;

namespace Primitives.Filesystem.Coyote.Tests.Devices;

/// <summary>
/// Closure-driven I/O under Coyote: writes and a flush submitted on an <see cref="IoBatch"/> to a
/// yielding memory device (each I/O a scheduling point), one write failing by injection. The batch's
/// continuation must run exactly once, after every completion, and see the first error.
/// </summary>
internal static class IoBatchScenarios
{
    private const int Writes = 3;

    [CoyoteScenario("fs.devices.io-batch.continues-once", Iterations = 200)]
    public static async Task SubmittedIoContinuesOnceAfterEveryCompletionWithTheError()
    {
        var device = new MemoryBlockDevice(16 * 512) { YieldOnIo = true, Faults = new DeviceFaults { FailWriteNumber = 2 } };
        var batch = new IoBatch();
        int completionsSeen = -1;
        int continuations = 0;
        var done = new TaskCompletionSource<Exception?>();
        for (int i = 0; i < Writes; i++)
        {
            device.SubmitWrite(i * 512L, Enumerable.Repeat((byte)(i + 1), 512).ToArray(), batch);
        }

        device.SubmitFlush(batch);
        batch.ContinueAt(
            closure =>
            {
                var b = (IoBatch)closure;
                Interlocked.Increment(ref continuations);
                completionsSeen = (int)(device.WriteCount + device.FlushCount);
                done.SetResult(b.FirstError);
                b.Return();
            },
            ClosureExecutors.TaskRun);

        Exception? error = await done.Task;
        Specification.Assert(continuations == 1, $"the batch continued {continuations} times");
        Specification.Assert(completionsSeen == Writes + 1, $"the batch continued after {completionsSeen} of {Writes + 1} I/Os");
        Specification.Assert(error is DeviceException { Operation: DeviceOperation.Write }, $"the continuation saw {error?.GetType().Name ?? "no error"}");
        Specification.Assert(batch.ErrorCount == 1, $"{batch.ErrorCount} errors recorded");

        int written = 0;
        byte[] block = new byte[512];
        for (int i = 0; i < Writes; i++)
        {
            device.Read(i * 512L, block);
            written += block[0] == i + 1 ? 1 : 0;
        }

        Specification.Assert(written == Writes - 1, $"{written} of {Writes} blocks written, expected all but the failed one");
    }
}
