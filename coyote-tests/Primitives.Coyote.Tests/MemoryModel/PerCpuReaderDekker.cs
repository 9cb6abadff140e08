using Microsoft.Coyote.Runtime;
using Microsoft.Coyote.Specifications;

namespace Primitives.Coyote.Tests.MemoryModel;

/// <summary>
/// The per-CPU reader mode's Dekker protocol on an explicit x86-TSO store-buffer model:
/// reader: increment own slot; FENCE; enter if write-held is clear (else back out).
/// writer: set write-held; FENCE; enter if the slots sum to zero (else back out).
/// Each side stores, then loads the other side's location: exactly the store-to-load reordering
/// that TSO allows (a load passes an earlier buffered store), so without the full fences both
/// read the other's old value and both enter. <c>Volatile.Read/Write</c> do not prevent this in
/// .NET; a full fence (<c>Interlocked.MemoryBarrier</c> or an interlocked read-modify-write) does.
/// </summary>
internal static class PerCpuReaderDekker
{
    public const string BothInside = "mutual exclusion violated: a reader and the writer are both inside";

    private const int WriteHeld = 0, FirstSlot = 1;
    private const int Readers = 2, WriterThread = Readers;

    [CoyoteScenario("memory.dekker.tso-no-fence", ExpectedError = BothInside, Iterations = 1_000)]
    public static Task WithoutFenceUnderTso() => Run(fenced: false);

    [CoyoteScenario("memory.dekker.tso-fenced", Iterations = 300)]
    public static Task FencedUnderTso() => Run(fenced: true);

    private static async Task Run(bool fenced)
    {
        var memory = new StoreBufferMemory(MemoryOrdering.Tso, cells: FirstSlot + Readers, threads: Readers + 1);
        int readersInside = 0;
        bool writerInside = false;

        void Reader(int id)
        {
            int slot = FirstSlot + id;
            memory.Store(id, slot, memory.Load(id, slot) + 1);
            if (fenced)
            {
                memory.Fence(id);
            }

            if (memory.Load(id, WriteHeld) == 0)
            {
                readersInside++;
                Specification.Assert(!writerInside, $"{BothInside} (reader {id} entered)");
                SchedulingPoint.Interleave();
                readersInside--;
            }

            // Read unlock, or backing out of a failed attempt.
            memory.Store(id, slot, memory.Load(id, slot) - 1);
        }

        void Writer()
        {
            memory.Store(WriterThread, WriteHeld, 1);
            if (fenced)
            {
                memory.Fence(WriterThread);
            }

            int sum = 0;
            for (int i = 0; i < Readers; i++)
            {
                sum += memory.Load(WriterThread, FirstSlot + i);
            }

            if (sum == 0)
            {
                writerInside = true;
                Specification.Assert(readersInside == 0, $"{BothInside} (writer entered with {readersInside} readers)");
                SchedulingPoint.Interleave();
                writerInside = false;
            }

            memory.Store(WriterThread, WriteHeld, 0);
        }

        var tasks = new Task[Readers + 1];
        for (int i = 0; i < Readers; i++)
        {
            int id = i;
            tasks[i] = Task.Run(() => Reader(id));
        }

        tasks[Readers] = Task.Run(Writer);
        await Task.WhenAll(tasks);
    }
}
