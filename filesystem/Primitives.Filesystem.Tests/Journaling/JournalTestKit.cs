using System.Buffers.Binary;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>Shared setup of the journal tests: a device with journal regions, records that carry their own identity.</summary>
internal static class JournalTestKit
{
    public const int Block = 512;

    public static JournalRegion[] Regions(int count, int regionBytes, long start = 4096) =>
        Enumerable.Range(0, count).Select(i => new JournalRegion(start + ((long)i * regionBytes), regionBytes)).ToArray();

    public static TestBlockDevice Device(JournalRegion[] regions) =>
        new(regions.Max(r => r.Offset + r.Length) + 4096);

    public static JournalOptions Options(Action<JournalEntryAppender>? hook = null, int hookBytes = 0, int maxEntry = 4096) => new()
    {
        CommitDelay = null,
        MaxEntrySize = maxEntry,
        JournalId = 0xF5_0001,
        EntryWriteHook = hook,
        HookReserveBytes = hookBytes,
        PinFifoSize = 64,
        ReclaimReserveBytes = 512,
    };

    public static byte[] Payload(long id, int length = 16)
    {
        byte[] payload = new byte[Math.Max(length, 8)];
        BinaryPrimitives.WriteInt64LittleEndian(payload, id);
        for (int i = 8; i < payload.Length; i++)
        {
            payload[i] = (byte)(id + i);
        }

        return payload;
    }

    public static long IdOf(JournalRecord record) => BinaryPrimitives.ReadInt64LittleEndian(record.Payload.Span);

    /// <summary>Commits one record (reserve, add, release) and returns its sequence.</summary>
    public static long Commit(Journal journal, long id, byte type = 7, int length = 16)
    {
        using JournalReservation res = journal.Reserve(Journal.RecordSize(Math.Max(length, 8)));
        res.Add(type, Payload(id, length));
        return res.Seq;
    }

    public static Task<JournalReplay> Replay(TestBlockDevice device, JournalRegion[] regions) =>
        Journal.ReadAsync(device, regions, Block, 0xF5_0001);

    public static IEnumerable<long> Ids(JournalReplay replay, byte type = 7) =>
        replay.Entries.SelectMany(e => e.Records).Where(r => r.Type == type).Select(IdOf);

    /// <summary>A dirty object whose pin the test controls: flush requests are recorded, the test decides when to drop.</summary>
    public sealed class ManualPin() : JournalPin()
    {
        private int _flushRequests;

        public int FlushRequests => Volatile.Read(ref _flushRequests);

        public TaskCompletionSource Requested { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Func<ManualPin, long, ValueTask>? OnFlush { get; set; }

        protected override ValueTask FlushAsync(long seq, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _flushRequests);
            Requested.TrySetResult();
            return OnFlush?.Invoke(this, seq) ?? ValueTask.CompletedTask;
        }
    }
}
