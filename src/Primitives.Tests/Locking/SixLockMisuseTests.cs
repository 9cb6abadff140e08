using Primitives.Locking;

namespace Primitives.Tests.Locking;

public class SixLockMisuseTests
{
    public static TheoryData<SixLockOptions> Modes => new() { SixLockOptions.None, SixLockOptions.PerCpuReaders };

    [Theory]
    [MemberData(nameof(Modes))]
    public void UnlockOfATypeNotHeldThrows(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Read));
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Intent));
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Write));
        lk.Lock(SixLockType.Intent);
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Write));
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Read));
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void WriteWithoutIntentThrows()
    {
        var lk = new SixLock();
        var ex = Assert.Throws<SixLockException>(() => lk.Lock(SixLockType.Write));
        Assert.Contains("intent", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<SixLockException>(() => lk.TryLock(SixLockType.Write));
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void WriteUnderAnotherThreadsIntentThrows()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        Exception? seen = null;
        var t = new Thread(() => seen = Record.Exception(() => lk.Lock(SixLockType.Write)));
        t.Start();
        t.Join();
        Assert.IsType<SixLockException>(seen);
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void UnlockOfIntentByANonOwnerThrowsAndKeepsTheLock()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        Exception? seen = null;
        var t = new Thread(() => seen = Record.Exception(() => lk.Unlock(SixLockType.Intent)));
        t.Start();
        t.Join();
        Assert.IsType<SixLockException>(seen);
        Assert.True(lk.IsIntentHeldByCurrentThread);
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void IntentReleasedBeforeWriteThrows()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        Assert.Throws<SixLockException>(() => lk.Unlock(SixLockType.Intent));
        Assert.Throws<SixLockException>(lk.Downgrade);
        Assert.Throws<SixLockException>(() => lk.Lock(SixLockType.Write));
        lk.Unlock(SixLockType.Write);
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void LockingIntentTwiceOnOneThreadThrowsInsteadOfDeadlocking()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Intent);
        Assert.Throws<SixLockException>(() => lk.Lock(SixLockType.Intent));
        Assert.Throws<SixLockException>(() => lk.TryLock(SixLockType.Intent));
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void DowngradeWithoutIntentThrows()
    {
        var lk = new SixLock();
        Assert.Throws<SixLockException>(lk.Downgrade);
        lk.Lock(SixLockType.Read);
        Assert.Throws<SixLockException>(lk.Downgrade);
        lk.Unlock(SixLockType.Read);
    }

    [Fact]
    public void UpgradeWithoutReadThrows()
    {
        var lk = new SixLock();
        Assert.Throws<SixLockException>(() => lk.TryUpgrade());
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void IncrementWithoutTheHoldThrows()
    {
        var lk = new SixLock();
        Assert.Throws<SixLockException>(() => lk.Increment(SixLockType.Read));
        Assert.Throws<SixLockException>(() => lk.Increment(SixLockType.Intent));
        Assert.Throws<SixLockException>(() => lk.Increment(SixLockType.Write));
        lk.Lock(SixLockType.Intent);
        Assert.Throws<SixLockException>(() => lk.Increment(SixLockType.Write));
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void ReaderCountOverflowThrowsBeforeChangingTheCount()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Read);
        lk.ReadersAdd((1 << 26) - 2);
        Assert.Equal((1 << 26) - 1, lk.Counts().Readers);
        Assert.Throws<SixLockException>(() => lk.TryLock(SixLockType.Read));
        Assert.Throws<SixLockException>(() => lk.ReadersAdd(1));
        Assert.Equal((1 << 26) - 1, lk.Counts().Readers);
        lk.ReadersAdd(-((1 << 26) - 1));
        Assert.False(lk.IsHeld);
        Assert.Throws<SixLockException>(() => lk.ReadersAdd(-1));
    }

    [Fact]
    public void UnknownTypeThrows()
    {
        var lk = new SixLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.TryLock((SixLockType)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.Lock((SixLockType)7));
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.Unlock((SixLockType)(-1)));
    }

    [Fact]
    public void NegativeTimeoutThrows()
    {
        var lk = new SixLock();
        Assert.Throws<ArgumentOutOfRangeException>(() => lk.TryLock(SixLockType.Read, TimeSpan.FromSeconds(-2)));
    }
}
