using Primitives.Counters;

namespace Primitives.Tests.Counters;

/// <summary>Single-threaded behaviour of <see cref="PerCpuReservation"/>: every member and its argument checks.</summary>
public sealed class PerCpuReservationTests
{
    [Fact]
    public void NewPoolHasItsWholeCapacityAvailable()
    {
        var pool = new PerCpuReservation(10_000);

        Assert.Equal(10_000, pool.Capacity);
        Assert.Equal(PerCpuReservation.DefaultChunkSize, pool.ChunkSize);
        Assert.Equal(0, pool.Reserved);
        Assert.Equal(10_000, pool.Available);
    }

    [Theory]
    [InlineData(-1, 1, "capacity")]
    [InlineData(long.MinValue, 1, "capacity")]
    [InlineData(PerCpuReservation.MaxCapacity + 1, 1, "capacity")]
    [InlineData(long.MaxValue, 1, "capacity")]
    [InlineData(10, 0, "chunkSize")]
    [InlineData(10, -5, "chunkSize")]
    public void InvalidConstructionIsRejected(long capacity, long chunkSize, string parameter)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PerCpuReservation(capacity, chunkSize));
        Assert.Equal(parameter, error.ParamName);
    }

    [Fact]
    public void NegativeAmountsAreRejected()
    {
        var pool = new PerCpuReservation(100);

        Assert.Equal("amount", Assert.Throws<ArgumentOutOfRangeException>(() => pool.TryReserve(-1)).ParamName);
        Assert.Equal("amount", Assert.Throws<ArgumentOutOfRangeException>(() => pool.Release(-1)).ParamName);
        Assert.Equal(0, pool.Reserved);
    }

    [Fact]
    public void ReservingAndReleasingMoveUnitsBetweenAvailableAndReserved()
    {
        var pool = new PerCpuReservation(1_000, chunkSize: 64);

        Assert.True(pool.TryReserve(300));
        Assert.Equal(300, pool.Reserved);
        Assert.Equal(700, pool.Available);

        pool.Release(100);
        Assert.Equal(200, pool.Reserved);
        Assert.Equal(800, pool.Available);

        pool.Release(200);
        Assert.Equal(0, pool.Reserved);
        Assert.Equal(1_000, pool.Available);
    }

    [Fact]
    public void ZeroAmountsAlwaysSucceedAndChangeNothing()
    {
        var pool = new PerCpuReservation(0);

        Assert.True(pool.TryReserve(0));
        pool.Release(0);
        Assert.Equal(0, pool.Reserved);
        Assert.Equal(0, pool.Available);
    }

    [Fact]
    public void TheWholeCapacityCanBeReservedAndNotOneUnitMore()
    {
        var pool = new PerCpuReservation(5_000, chunkSize: 1_000);

        for (int i = 0; i < 5; i++)
        {
            Assert.True(pool.TryReserve(1_000));
        }

        Assert.False(pool.TryReserve(1));
        Assert.Equal(5_000, pool.Reserved);
        Assert.Equal(0, pool.Available);
    }

    [Fact]
    public void ReservingMoreThanIsAvailableFailsAndChangesNothing()
    {
        var pool = new PerCpuReservation(1_000, chunkSize: 100);
        Assert.True(pool.TryReserve(600));

        Assert.False(pool.TryReserve(401));
        Assert.False(pool.TryReserve(long.MaxValue));
        Assert.Equal(600, pool.Reserved);
        Assert.True(pool.TryReserve(400));
        Assert.Equal(0, pool.Available);
    }

    [Fact]
    public void ReleasingMoreThanIsReservedThrowsAndChangesNothing()
    {
        var pool = new PerCpuReservation(1_000, chunkSize: 10);
        Assert.True(pool.TryReserve(10));

        Assert.Throws<InvalidOperationException>(() => pool.Release(11));
        Assert.Throws<InvalidOperationException>(() => pool.Release(long.MaxValue));
        Assert.Equal(10, pool.Reserved);
        Assert.Equal(990, pool.Available);

        pool.Release(10);
        Assert.Throws<InvalidOperationException>(() => pool.Release(1));
        Assert.Equal(0, pool.Reserved);
        Assert.True(pool.TryReserve(1_000));
    }

    [Fact]
    public void MaxCapacityCanBeReservedWholeAndReleasedInPieces()
    {
        var pool = new PerCpuReservation(PerCpuReservation.MaxCapacity, chunkSize: long.MaxValue);

        Assert.True(pool.TryReserve(PerCpuReservation.MaxCapacity));
        Assert.False(pool.TryReserve(1));
        Assert.Equal(PerCpuReservation.MaxCapacity, pool.Reserved);

        pool.Release(PerCpuReservation.MaxCapacity - 1);
        pool.Release(1);
        Assert.Equal(PerCpuReservation.MaxCapacity, pool.Available);
    }

    [Fact]
    public void SpaceCachedByOtherThreadsIsReclaimedWhenThePoolRunsShort()
    {
        // Every thread reserves and releases one unit, leaving a chunk cached on its processor.
        var pool = new PerCpuReservation(10_000, chunkSize: 1_000);
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                Assert.True(pool.TryReserve(1));
                pool.Release(1);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        // The slow path must drain every cache to grant the whole capacity.
        Assert.True(pool.TryReserve(10_000));
        Assert.Equal(0, pool.Available);
        pool.Release(10_000);
        Assert.Equal(10_000, pool.Available);
    }

    [Fact]
    public void AReleaseIntoAFullPoolIsReservableFromAnotherThread()
    {
        var pool = new PerCpuReservation(1_000, chunkSize: 100);
        Assert.True(pool.TryReserve(1_000));
        Assert.False(pool.TryReserve(1));

        // The release lands in the releasing thread's processor cache...
        var releaser = new Thread(() => pool.Release(500));
        releaser.Start();
        releaser.Join();

        // ...and a reserver elsewhere must find it on its first attempt, not strand it.
        bool granted = false;
        var reserver = new Thread(() => granted = pool.TryReserve(500));
        reserver.Start();
        reserver.Join();

        Assert.True(granted);
        Assert.Equal(1_000, pool.Reserved);
    }

    [Fact]
    public void ReleasedSpaceDoesNotPileUpInTheReleasersCache()
    {
        const long ChunkSize = 16;
        var pool = new PerCpuReservation(100_000, ChunkSize);
        Assert.True(pool.TryReserve(100_000));
        Assert.Equal(0, pool.PooledUnits);

        for (int i = 0; i < 100_000; i++)
        {
            pool.Release(1);
        }

        // Each cache keeps at most two chunks; the rest went back to the shared pool, where any
        // processor's refill finds it without the slow path.
        Assert.InRange(pool.PooledUnits, 100_000 - (2 * ChunkSize * Primitives.Internal.PerCpu.SlotCount), 100_000);
        Assert.Equal(100_000, pool.Available);
        Assert.True(pool.TryReserve(100_000));
    }

    [Fact]
    public void AWaitingReserverSucceedsOnceAFullPoolGetsARelease()
    {
        var pool = new PerCpuReservation(1_000, chunkSize: 16);
        Assert.True(pool.TryReserve(1_000));

        using var waiting = new ManualResetEventSlim();
        int attemptsBeforeRelease = 0;
        bool releaseDone = false;
        bool succeededEarly = false;
        var reserver = new Thread(() =>
        {
            var spin = new SpinWait();
            while (true)
            {
                bool released = Volatile.Read(ref releaseDone);
                if (pool.TryReserve(300))
                {
                    succeededEarly = !released && !Volatile.Read(ref releaseDone);
                    return;
                }

                if (!released && ++attemptsBeforeRelease == 10)
                {
                    waiting.Set();
                }

                spin.SpinOnce();
            }
        });
        reserver.Start();
        Assert.True(waiting.Wait(TimeSpan.FromSeconds(30)));

        var releaser = new Thread(() =>
        {
            pool.Release(300);
            Volatile.Write(ref releaseDone, true);
        });
        releaser.Start();
        releaser.Join();
        Assert.True(reserver.Join(TimeSpan.FromSeconds(30)));

        Assert.False(succeededEarly);
        Assert.Equal(1_000, pool.Reserved);
    }
}
