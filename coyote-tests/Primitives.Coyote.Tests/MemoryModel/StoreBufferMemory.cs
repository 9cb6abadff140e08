using Microsoft.Coyote.Random;
using Microsoft.Coyote.Runtime;

namespace Primitives.Coyote.Tests.MemoryModel;

/// <summary>Which reorderings the store buffers of a <see cref="StoreBufferMemory"/> allow.</summary>
internal enum MemoryOrdering
{
    /// <summary>
    /// x86-TSO: each thread's buffer drains in program order (FIFO). Only store-then-load to a
    /// different location can appear reordered (a later load passes an earlier buffered store).
    /// </summary>
    Tso,

    /// <summary>
    /// PSO (SPARC partial store order; a stand-in for Arm/POWER store reordering): a buffer drains
    /// in any order except that two stores to the same location stay in order. Stores to
    /// different locations may become visible out of program order, unless a release store or a
    /// fence orders them.
    /// </summary>
    Pso,
}

/// <summary>
/// A tiny explicit weak-memory machine for protocol tests. Coyote explores interleavings under
/// sequential consistency only, so ordering bugs that need a store buffer (x86) or store
/// reordering (Arm) are invisible to it; here they become ordinary nondeterminism that Coyote
/// controls: a store goes into the storing thread's buffer, a load reads the thread's own newest
/// buffered store to that location or else memory, and at every operation of every thread the
/// buffers may drain (one or more entries, chosen with Coyote's controlled random generator),
/// or are drained completely by a fence. Release stores drain the thread's earlier stores first.
/// </summary>
/// <remarks>
/// Every operation is one Coyote scheduling point. Coyote runs one controlled task at a time
/// between scheduling points, so the model itself needs no locking. Loads are never reordered
/// with each other (both TSO and PSO keep load order), which makes every load an acquire load:
/// the model checks store ordering, which is where the historical bugs were.
/// </remarks>
internal sealed class StoreBufferMemory
{
    private readonly MemoryOrdering _ordering;
    private readonly int[] _memory;
    private readonly List<(int Address, int Value)>[] _buffers;
    private readonly Generator _random = Generator.Create();

    public StoreBufferMemory(MemoryOrdering ordering, int cells, int threads)
    {
        _ordering = ordering;
        _memory = new int[cells];
        _buffers = new List<(int, int)>[threads];
        for (int i = 0; i < threads; i++)
        {
            _buffers[i] = [];
        }
    }

    /// <summary>Sets a cell's initial value, before any thread runs.</summary>
    public void Initialize(int address, int value) => _memory[address] = value;

    /// <summary>Loads a cell as thread <paramref name="thread"/> sees it.</summary>
    public int Load(int thread, int address)
    {
        this.Step();
        List<(int Address, int Value)> buffer = _buffers[thread];
        for (int i = buffer.Count - 1; i >= 0; i--)
        {
            if (buffer[i].Address == address)
            {
                return buffer[i].Value;
            }
        }

        return _memory[address];
    }

    /// <summary>A plain store: buffered, visible to other threads once drained.</summary>
    public void Store(int thread, int address, int value)
    {
        this.Step();
        _buffers[thread].Add((address, value));
    }

    /// <summary>
    /// A store-release (<c>Volatile.Write</c>, <c>smp_store_release</c>): every earlier store of
    /// the thread is visible before this one. Modelled as draining the thread's buffer, then buffering.
    /// </summary>
    public void StoreRelease(int thread, int address, int value)
    {
        this.Step();
        this.Flush(thread);
        _buffers[thread].Add((address, value));
    }

    /// <summary>A full fence (<c>Interlocked.MemoryBarrier</c>, <c>smp_mb</c>): drains the thread's buffer.</summary>
    public void Fence(int thread)
    {
        this.Step();
        this.Flush(thread);
    }

    /// <summary>
    /// Drains every buffer, interleaving the threads' remaining stores nondeterministically (the
    /// end of the test: all stores eventually become visible, in an order the model allows).
    /// </summary>
    public void DrainAll()
    {
        var pending = new List<int>();
        while (true)
        {
            pending.Clear();
            for (int t = 0; t < _buffers.Length; t++)
            {
                if (_buffers[t].Count > 0)
                {
                    pending.Add(t);
                }
            }

            if (pending.Count == 0)
            {
                return;
            }

            this.CommitOne(pending[_random.NextInteger(pending.Count)]);
        }
    }

    /// <summary>The value in memory (not in any buffer); call <see cref="DrainAll"/> first for final state.</summary>
    public int this[int address] => _memory[address];

    private void Step()
    {
        SchedulingPoint.Interleave();
        // Start at a random buffer so no thread's stores systematically drain first.
        int first = _random.NextInteger(_buffers.Length);
        for (int i = 0; i < _buffers.Length; i++)
        {
            int t = (first + i) % _buffers.Length;
            while (_buffers[t].Count > 0 && _random.NextBoolean())
            {
                this.CommitOne(t);
            }
        }
    }

    private void Flush(int thread)
    {
        List<(int Address, int Value)> buffer = _buffers[thread];
        foreach ((int address, int value) in buffer)
        {
            _memory[address] = value;
        }

        buffer.Clear();
    }

    private void CommitOne(int thread)
    {
        List<(int Address, int Value)> buffer = _buffers[thread];
        int index = 0;
        if (_ordering == MemoryOrdering.Pso)
        {
            // Any entry may go first, except past an older store to the same location.
            var eligible = new List<int>();
            for (int i = 0; i < buffer.Count; i++)
            {
                bool olderSameAddress = false;
                for (int j = 0; j < i; j++)
                {
                    olderSameAddress |= buffer[j].Address == buffer[i].Address;
                }

                if (!olderSameAddress)
                {
                    eligible.Add(i);
                }
            }

            index = eligible[_random.NextInteger(eligible.Count)];
        }

        _memory[buffer[index].Address] = buffer[index].Value;
        buffer.RemoveAt(index);
    }
}
