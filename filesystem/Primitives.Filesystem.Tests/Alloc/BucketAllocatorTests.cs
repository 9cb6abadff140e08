using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Format;
using Primitives.Filesystem.Tests.Devices;

namespace Primitives.Filesystem.Tests.Alloc;

public sealed class BucketAllocatorTests
{
    [Fact]
    public void AFreshTableHasTheLayoutBucketsAndFreeDataBuckets()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        AllocatorSnapshot snapshot = allocator.Snapshot();
        Assert.Equal(BucketDataType.Superblock, snapshot.Keys[0].DataType);
        Assert.Equal(BucketDataType.Journal, snapshot.Keys[1].DataType);
        Assert.Equal(BucketDataType.Journal, snapshot.Keys[2].DataType);
        Assert.Equal(BucketDataType.Superblock, snapshot.Keys[63].DataType);
        Assert.Equal(60, snapshot.FreeBuckets);
        Assert.Equal(4, allocator.ReserveBuckets); // 8% of 60
    }

    [Fact]
    public async Task TheFullLifecycleReusesABucketOnlyAfterDurabilityAndDiscard()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, List<BucketChange> changes) = AllocTestData.Create();
        await using var worker = new DiscardWorker(allocator, device);

        BucketAllocation first = allocator.Allocate(BucketDataType.User);
        Assert.Equal(new BucketAllocation(3, 1), first);
        device.Write(3 * 65536, DeviceChecks.Pattern(65536, 1));
        allocator.AddSectors(3, 128, journalSeq: 4);
        Assert.Equal(4ul, allocator.GetKey(3).JournalSeqNonEmpty);

        // Emptied at journal sequence 7: waits for 7 to be durable.
        allocator.ReleaseSectors(3, 128, journalSeq: 7);
        AllocKey empty = allocator.GetKey(3);
        Assert.Equal(BucketDataType.NeedDiscard, empty.DataType);
        Assert.True(empty.NeedDiscard);
        Assert.Equal(7ul, empty.JournalSeqEmpty);
        Assert.Equal(1, allocator.Snapshot().WaitingForJournal);
        Assert.False(allocator.TryClaim(3, BucketDataType.User, out _));
        Assert.Equal(0, await worker.DiscardPendingAsync()); // nothing ready yet

        allocator.OnJournalDurable(6);
        Assert.Equal(1, allocator.Snapshot().WaitingForJournal);
        allocator.OnJournalDurable(7);
        Assert.Equal(0, allocator.Snapshot().WaitingForJournal);
        Assert.Equal(1, allocator.Snapshot().NeedDiscardBuckets);

        Assert.Equal(1, await worker.DiscardPendingAsync());
        Assert.Equal(1, device.DiscardCount);
        byte[] bucket = new byte[65536];
        device.Read(3 * 65536, bucket);
        Assert.True(bucket.AsSpan().IndexOfAnyExcept((byte)0) < 0, "the discard zeroed the bucket");
        Assert.Equal(BucketDataType.Free, allocator.GetKey(3).DataType);

        BucketAllocation reused = allocator.Allocate(BucketDataType.Btree);
        Assert.Equal(new BucketAllocation(3, 2), reused); // lowest free, generation bumped

        Assert.Equal(
            [BucketDataType.User, BucketDataType.User, BucketDataType.NeedDiscard, BucketDataType.Free, BucketDataType.Btree],
            changes.Where(c => c.Bucket == 3).Select(c => c.Key.DataType));
    }

    [Fact]
    public void DrainChangesReturnsEachChangedBucketOnceWithItsLatestKey()
    {
        (BucketAllocator allocator, _, List<BucketChange> changes) = AllocTestData.Create();
        Assert.Empty(allocator.DrainChanges());
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.AddSectors(a.Bucket, 8, 2);
        BucketAllocation b = allocator.Allocate(BucketDataType.Btree);
        IReadOnlyList<BucketChange> drained = allocator.DrainChanges();
        Assert.Equal([a.Bucket, b.Bucket], drained.Select(c => c.Bucket));
        Assert.Equal(16u, drained[0].Key.DirtySectors);
        Assert.Equal(4, changes.Count); // the event saw every step
        Assert.Empty(allocator.DrainChanges());
    }

    [Fact]
    public void ReleasingAtAnAlreadyDurableSequenceIsReadyAtOnce()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        allocator.OnJournalDurable(10);
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 9);
        allocator.ReleaseSectors(a.Bucket, 8, 10);
        Assert.Equal(1, allocator.Snapshot().NeedDiscardBuckets);
    }

    [Fact]
    public void WithDiscardsOffAnEmptiedBucketIsFreeOnceDurable()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create(options: new BucketAllocatorOptions { Discard = false });
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.ReleaseSectors(a.Bucket, 8, 2);
        Assert.Equal(BucketDataType.NeedDiscard, allocator.GetKey(a.Bucket).DataType);
        allocator.OnJournalDurable(2);
        Assert.Equal(BucketDataType.Free, allocator.GetKey(a.Bucket).DataType);
        Assert.Equal(0, allocator.Snapshot().NeedDiscardBuckets);
    }

    [Fact]
    public void UserDataCannotTakeTheReserveAndRunsOutWithATypedError()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        for (int i = 0; i < 56; i++)
        {
            allocator.Allocate(BucketDataType.User);
        }

        NoSpaceException noSpace = Assert.Throws<NoSpaceException>(() => allocator.Allocate(BucketDataType.User));
        Assert.Contains("4 free (4 kept in reserve)", noSpace.Message, StringComparison.Ordinal);

        for (int i = 0; i < 4; i++)
        {
            allocator.Allocate(BucketDataType.Btree); // metadata may use the reserve
        }

        Assert.Throws<NoSpaceException>(() => allocator.Allocate(BucketDataType.Btree));
    }

    [Fact]
    public void UserSpaceReservationsAreBoundedByTheDataOutsideTheReserve()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        Assert.Equal(56L * 65536, allocator.AvailableUserBytes);
        allocator.ReserveUserSpace(50L * 65536);
        NoSpaceException error = Assert.Throws<NoSpaceException>(() => allocator.ReserveUserSpace(7L * 65536));
        Assert.Contains("bytes available", error.Message, StringComparison.Ordinal);
        allocator.ReleaseUserSpace(50L * 65536);
        allocator.ReserveUserSpace(56L * 65536);
        Assert.Equal(0, allocator.AvailableUserBytes);
    }

    [Fact]
    public void TheGateRefusesABucketWhoseDiscardIsInFlight()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.ReleaseSectors(a.Bucket, 8, 1);
        allocator.OnJournalDurable(1);

        Assert.True(allocator.TryBeginDiscard(out long discarding));
        Assert.Equal(a.Bucket, discarding);
        Assert.True(allocator.IsDiscardInFlight(a.Bucket));
        Assert.False(allocator.TryClaim(a.Bucket, BucketDataType.User, out _));

        allocator.CompleteDiscard(a.Bucket, DiscardOutcome.Discarded);
        Assert.True(allocator.TryClaim(a.Bucket, BucketDataType.User, out BucketAllocation claimed));
        Assert.Equal(a.Generation + 1, claimed.Generation);
        Assert.Empty(allocator.Snapshot().GateViolations);
    }

    [Fact]
    public void ADirectClaimMayTakeAReadyNeedDiscardBucketButNotAWaitingOne()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.ReleaseSectors(a.Bucket, 8, 5);
        Assert.False(allocator.TryClaim(a.Bucket, BucketDataType.Journal, out _)); // emptying not durable
        allocator.OnJournalDurable(5);
        Assert.True(allocator.TryClaim(a.Bucket, BucketDataType.Journal, out _));
        Assert.False(allocator.TryBeginDiscard(out _)); // the claim took it out of need_discard
        Assert.False(allocator.TryClaim(0, BucketDataType.User, out _)); // the superblock bucket
        Assert.Throws<ArgumentOutOfRangeException>(() => allocator.TryClaim(64, BucketDataType.User, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => allocator.TryClaim(5, BucketDataType.Free, out _));
    }

    [Fact]
    public void ACancelledDiscardGoesBackToNeedDiscard()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.ReleaseSectors(a.Bucket, 8, 1);
        allocator.OnJournalDurable(1);
        Assert.True(allocator.TryBeginDiscard(out long b));
        allocator.CompleteDiscard(b, DiscardOutcome.Cancelled);
        Assert.Equal(1, allocator.Snapshot().NeedDiscardBuckets);
        Assert.Throws<InvalidOperationException>(() => allocator.CompleteDiscard(b, DiscardOutcome.Discarded));
    }

    [Fact]
    public void WritePointsFillABucketSequentiallyThenMoveOn()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        SpaceAllocation s1 = allocator.AllocateSpace(BucketDataType.User, 1);
        SpaceAllocation s2 = allocator.AllocateSpace(BucketDataType.User, 5000);
        SpaceAllocation s3 = allocator.AllocateSpace(BucketDataType.User, 65536 - 12288);
        SpaceAllocation s4 = allocator.AllocateSpace(BucketDataType.User, 4096);
        SpaceAllocation b1 = allocator.AllocateSpace(BucketDataType.Btree, 16384);
        Assert.Equal(new SpaceAllocation(3, 1, 0, 4096), s1);
        Assert.Equal(new SpaceAllocation(3, 1, 4096, 8192), s2);
        Assert.Equal(new SpaceAllocation(3, 1, 12288, 65536 - 12288), s3);
        Assert.Equal(new SpaceAllocation(4, 1, 0, 4096), s4); // bucket 3 full
        Assert.Equal(5, b1.Bucket); // the btree write point has its own bucket
        Assert.Equal(128u, allocator.GetKey(3).DirtySectors);
        Assert.Throws<ArgumentOutOfRangeException>(() => allocator.AllocateSpace(BucketDataType.User, 65537));
        Assert.Throws<ArgumentOutOfRangeException>(() => allocator.AllocateSpace(BucketDataType.User, 0));
    }

    [Fact]
    public void AnOpenBucketThatEmptiesLeavesItsWritePoint()
    {
        (BucketAllocator allocator, _, _) = AllocTestData.Create();
        SpaceAllocation s1 = allocator.AllocateSpace(BucketDataType.User, 4096);
        Assert.True(allocator.TryReleaseSectors(s1.Bucket, s1.Generation, 8, 3));
        SpaceAllocation s2 = allocator.AllocateSpace(BucketDataType.User, 4096);
        Assert.NotEqual(s1.Bucket, s2.Bucket); // never writes into a bucket on its way to reuse
        Assert.Equal(0, s2.Offset);
        Assert.False(allocator.TryReleaseSectors(s1.Bucket, s1.Generation, 8, 3)); // already empty
        Assert.False(allocator.TryReleaseSectors(s2.Bucket, s2.Generation + 1, 8, 3)); // wrong generation
        Assert.Throws<InvalidOperationException>(() => allocator.TryReleaseSectors(s2.Bucket, s2.Generation, 16, 3));
    }

    [Fact]
    public void LoadingStoredKeysRestoresIndexesAndUserSpace()
    {
        Superblock geometry = AllocTestData.Geometry();
        var keys = new Dictionary<long, AllocKey>
        {
            [3] = new AllocKey(5, BucketDataType.User, 64, false, 0, 2),
            [4] = new AllocKey(2, BucketDataType.NeedDiscard, 0, true, 9, 1),
            [5] = new AllocKey(7, BucketDataType.NeedDiscard, 0, true, 20, 1),
            [6] = new AllocKey(1, BucketDataType.Btree, 32, false, 0, 3),
        };
        BucketAllocator allocator = BucketAllocator.Create(geometry, keys, durableSeq: 10);
        AllocatorSnapshot snapshot = allocator.Snapshot();
        Assert.Equal(56, snapshot.FreeBuckets);
        Assert.Equal(1, snapshot.NeedDiscardBuckets); // bucket 4 (9 <= 10)
        Assert.Equal(1, snapshot.WaitingForJournal); // bucket 5 (20 > 10)
        Assert.Equal((56L * 65536) - (64 * 512), allocator.AvailableUserBytes);
        Assert.Equal(new BucketAllocation(7, 1), allocator.Allocate(BucketDataType.User));
        allocator.OnJournalDurable(20);
        Assert.Equal(2, allocator.Snapshot().NeedDiscardBuckets);
    }

    [Fact]
    public void KeysThatContradictTheLayoutAreCorrupt()
    {
        Superblock geometry = AllocTestData.Geometry();
        Assert.Throws<CorruptStructureException>(() => BucketAllocator.Create(geometry, [new(1, new AllocKey(0, BucketDataType.Free, 0, false, 0, 0))]));
        Assert.Throws<CorruptStructureException>(() => BucketAllocator.Create(geometry, [new(5, new AllocKey(0, BucketDataType.Journal, 0, false, 0, 0))]));
        Assert.Throws<CorruptStructureException>(() => BucketAllocator.Create(geometry, [new(5, new AllocKey(0, BucketDataType.User, 129, false, 0, 0))]));
        Assert.Throws<ArgumentOutOfRangeException>(() => BucketAllocator.Create(geometry, [new(64, default)]));
    }

    [Fact]
    public async Task TheBackgroundWorkerDiscardsWhatBecomesReady()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        var freed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        allocator.Changed += c =>
        {
            if (c.Key.DataType == BucketDataType.Free)
            {
                freed.TrySetResult();
            }
        };
        await using var worker = new DiscardWorker(allocator, device);
        worker.Start();
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.ReleaseSectors(a.Bucket, 8, 2);
        allocator.OnJournalDurable(2);
        await freed.Task.WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, not a timing assertion
        Assert.Equal(1, worker.DiscardedCount);
        Assert.Equal(1, device.DiscardCount);
    }

    [Fact]
    public async Task AdjacentBucketsAreDiscardedInOneRange()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        var ranges = new List<(long Offset, long Length)>();
        device.DiscardObserver = (offset, length) => ranges.Add((offset, length));
        BucketAllocation[] buckets = Enumerable.Range(0, 5).Select(_ => allocator.Allocate(BucketDataType.User)).ToArray(); // 3..7
        foreach (BucketAllocation a in buckets.Where(b => b.Bucket != 6))
        {
            allocator.AddSectors(a.Bucket, 8, 1);
            allocator.ReleaseSectors(a.Bucket, 8, 1);
        }

        allocator.OnJournalDurable(1);
        await using var worker = new DiscardWorker(allocator, device);
        Assert.Equal(4, await worker.DiscardPendingAsync());
        Assert.Equal([(3L * 65536, 3L * 65536), (7L * 65536, 65536L)], ranges);
        Assert.Equal(4, worker.DiscardedCount);
        Assert.Equal(BucketDataType.User, allocator.GetKey(6).DataType);
    }

    [Fact]
    public async Task AFailedDiscardStillFreesTheBucketAndIsCounted()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        device.Faults = new DeviceFaults { FailDiscardNumber = 1 };
        await using var worker = new DiscardWorker(allocator, device);
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        allocator.AddSectors(a.Bucket, 8, 1);
        allocator.ReleaseSectors(a.Bucket, 8, 1);
        allocator.OnJournalDurable(1);
        Assert.Equal(1, await worker.DiscardPendingAsync());
        Assert.Equal(1, worker.ErrorCount);
        Assert.IsType<DeviceException>(worker.FirstError);
        Assert.Equal(BucketDataType.Free, allocator.GetKey(a.Bucket).DataType);
    }

    [Fact]
    public async Task ADeviceClosedUnderTheWorkerNeitherStrandsTheBucketNorKillsTheWorker()
    {
        (BucketAllocator allocator, MemoryBlockDevice device, _) = AllocTestData.Create();
        device.Faults = new DeviceFaults { Rule = (op, _, _) => op == DeviceOperation.Discard ? throw new ObjectDisposedException("device") : false };
        await using var worker = new DiscardWorker(allocator, device);
        for (int i = 0; i < 2; i++)
        {
            BucketAllocation a = allocator.Allocate(BucketDataType.User);
            allocator.AddSectors(a.Bucket, 8, 1);
            allocator.ReleaseSectors(a.Bucket, 8, 1);
        }

        allocator.OnJournalDurable(1);
        Assert.Equal(2, await worker.DiscardPendingAsync());
        Assert.Equal(1, worker.ErrorCount); // buckets 3 and 4 are adjacent: one discard
        Assert.IsType<ObjectDisposedException>(worker.FirstError);
        Assert.Equal(0, allocator.Snapshot().DiscardsInFlight);
        Assert.Equal(60, allocator.Snapshot().FreeBuckets);
    }

    [Fact]
    public void LoadingMoreUserDataThanFitsOutsideTheReserveIsCorrupt()
    {
        Superblock geometry = AllocTestData.Geometry(buckets: 8); // 4 data buckets, 1 in reserve: 48 blocks for user data
        var keys = Enumerable.Range(3, 4).Select(b => new KeyValuePair<long, AllocKey>(b, new AllocKey(1, BucketDataType.User, 128, false, 0, 1)));
        CorruptStructureException error = Assert.Throws<CorruptStructureException>(() => BucketAllocator.Create(geometry, keys));
        Assert.Contains("user data uses 64 blocks", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DiscardsReachALoopDevice()
    {
        using LoopDevice loop = LoopDevice.Create(8L * 1024 * 1024);
        using FileBlockDevice device = FileBlockDevice.Open(loop.Path);
        Superblock geometry = AllocTestData.Geometry(buckets: 128);
        BucketAllocator allocator = BucketAllocator.Create(geometry);
        await using var worker = new DiscardWorker(allocator, device);
        BucketAllocation a = allocator.Allocate(BucketDataType.User);
        await device.WriteAsync(a.Bucket * 65536, DeviceChecks.Pattern(65536, 8));
        allocator.AddSectors(a.Bucket, 128, 1);
        allocator.ReleaseSectors(a.Bucket, 128, 1);
        allocator.OnJournalDurable(1);
        Assert.Equal(1, await worker.DiscardPendingAsync());
        Assert.Equal(0, worker.ErrorCount);
        byte[] back = new byte[65536];
        await device.ReadAsync(a.Bucket * 65536, back);
        Assert.True(back.AsSpan().IndexOfAnyExcept((byte)0) < 0, "BLKDISCARD on the loop device zeroed the bucket");
    }
}
