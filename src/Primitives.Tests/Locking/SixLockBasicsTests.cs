using Primitives.Locking;

namespace Primitives.Tests.Locking;

public class SixLockBasicsTests
{
    public static TheoryData<SixLockOptions> Modes => new() { SixLockOptions.None, SixLockOptions.PerCpuReaders };

    [Theory]
    [MemberData(nameof(Modes))]
    public void ReadersShareTheLock(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        Assert.True(lk.TryLock(SixLockType.Read));
        Assert.True(lk.TryLock(SixLockType.Read));
        Assert.Equal(2, lk.Counts().Readers);
        lk.Unlock(SixLockType.Read);
        lk.Unlock(SixLockType.Read);
        Assert.False(lk.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void IntentAdmitsReadersButNotAnotherIntent(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Intent);
        Assert.True(lk.TryLock(SixLockType.Read));
        bool otherGotIntent = true;
        var t = new Thread(() => otherGotIntent = lk.TryLock(SixLockType.Intent));
        t.Start();
        t.Join();
        Assert.False(otherGotIntent);
        Assert.Equal(new SixLockCounts(1, 1, 0).ToString(), lk.Counts().ToString());
        lk.Unlock(SixLockType.Read);
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WriteExcludesReadersAndIsReleasedBeforeIntent(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        Assert.True(lk.IsWriteLocked);
        Assert.True(lk.IsWriteHeldByCurrentThread);
        bool readerGotIn = true;
        var t = new Thread(() => readerGotIn = lk.TryLock(SixLockType.Read));
        t.Start();
        t.Join();
        Assert.False(readerGotIn);
        lk.Unlock(SixLockType.Write);
        Assert.True(lk.TryLock(SixLockType.Read));
        lk.Unlock(SixLockType.Read);
        lk.Unlock(SixLockType.Intent);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void WriteTrylockFailsWhileReadersHold(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Read);
        lk.Lock(SixLockType.Intent);
        Assert.False(lk.TryLock(SixLockType.Write));
        Assert.False(lk.IsWriteLocked);
        lk.Unlock(SixLockType.Read);
        Assert.True(lk.TryLock(SixLockType.Write));
        lk.Unlock(SixLockType.Write);
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void SeqMovesOnlyOnWriteUnlock()
    {
        var lk = new SixLock();
        int seq = lk.Seq;
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Read);
        lk.Unlock(SixLockType.Read);
        Assert.Equal(seq, lk.Seq);
        lk.Lock(SixLockType.Write);
        Assert.Equal(seq, lk.Seq);
        lk.Unlock(SixLockType.Write);
        Assert.Equal(seq + 1, lk.Seq);
        lk.Unlock(SixLockType.Intent);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void RelockSucceedsOnlyIfNobodyWrote(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        int seq = lk.Seq;
        Assert.True(lk.TryRelock(SixLockType.Read, seq));
        lk.Unlock(SixLockType.Read);

        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        lk.Unlock(SixLockType.Write);
        lk.Unlock(SixLockType.Intent);

        Assert.False(lk.TryRelock(SixLockType.Read, seq));
        Assert.False(lk.TryRelock(SixLockType.Intent, seq));
        Assert.False(lk.IsHeld);
        Assert.True(lk.TryRelock(SixLockType.Intent, lk.Seq));
        lk.Unlock(SixLockType.Intent);
    }

    [Fact]
    public void RelockFailsWhileWriteIsHeld()
    {
        var lk = new SixLock();
        int seq = lk.Seq;
        lk.Lock(SixLockType.Intent);
        lk.Lock(SixLockType.Write);
        bool relocked = true;
        var t = new Thread(() => relocked = lk.TryRelock(SixLockType.Read, seq));
        t.Start();
        t.Join();
        Assert.False(relocked);
        lk.Unlock(SixLockType.Write);
        lk.Unlock(SixLockType.Intent);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void IncrementCountsReentry(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Intent);
        lk.Increment(SixLockType.Intent);
        lk.Increment(SixLockType.Read); // read while holding intent is legal
        lk.Lock(SixLockType.Write);
        lk.Unlock(SixLockType.Read);
        lk.Increment(SixLockType.Write);
        Assert.Equal(2, lk.Counts().Write);
        Assert.Equal(2, lk.Counts().Intent);
        lk.Unlock(SixLockType.Write);
        Assert.True(lk.IsWriteLocked);
        lk.Unlock(SixLockType.Write);
        Assert.False(lk.IsWriteLocked);
        lk.Unlock(SixLockType.Intent);
        Assert.True(lk.IsIntentLocked);
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void DowngradeTurnsIntentIntoRead(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Intent);
        lk.Downgrade();
        Assert.False(lk.IsIntentLocked);
        Assert.Equal(1, lk.Counts().Readers);
        bool otherIntent = false;
        var t = new Thread(() =>
        {
            otherIntent = lk.TryLock(SixLockType.Intent);
            lk.Unlock(SixLockType.Intent);
        });
        t.Start();
        t.Join();
        Assert.True(otherIntent);
        lk.Unlock(SixLockType.Read);
        Assert.False(lk.IsHeld);
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void TryUpgradeTurnsReadIntoIntentOnlyWhenIntentIsFree(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Read);
        Assert.True(lk.TryUpgrade());
        Assert.Equal(0, lk.Counts().Readers);
        Assert.True(lk.IsIntentHeldByCurrentThread);
        lk.Unlock(SixLockType.Intent);

        lk.Lock(SixLockType.Intent);
        bool upgraded = true;
        var t = new Thread(() =>
        {
            lk.Lock(SixLockType.Read);
            upgraded = lk.TryUpgrade();
            lk.Unlock(SixLockType.Read);
        });
        t.Start();
        t.Join();
        Assert.False(upgraded);
        lk.Unlock(SixLockType.Intent);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void TryConvertGoesBothWays()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Read);
        Assert.True(lk.TryConvert(SixLockType.Read, SixLockType.Intent));
        Assert.True(lk.TryConvert(SixLockType.Intent, SixLockType.Read));
        Assert.True(lk.TryConvert(SixLockType.Read, SixLockType.Read));
        Assert.Equal(1, lk.Counts().Readers);
        lk.Unlock(SixLockType.Read);
        Assert.Throws<ArgumentException>(() => lk.TryConvert(SixLockType.Intent, SixLockType.Write));
    }

    [Theory]
    [MemberData(nameof(Modes))]
    public void ReadersAddMovesHoldsOutAndBack(SixLockOptions mode)
    {
        var lk = new SixLock(mode);
        lk.Lock(SixLockType.Read);
        lk.Lock(SixLockType.Intent);
        lk.ReadersAdd(-1);
        Assert.True(lk.TryLock(SixLockType.Write));
        lk.Unlock(SixLockType.Write);
        lk.ReadersAdd(1);
        Assert.Equal(1, lk.Counts().Readers);
        lk.Unlock(SixLockType.Intent);
        lk.Unlock(SixLockType.Read);
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void ScopesReleaseOnDispose()
    {
        var lk = new SixLock(name: "node");
        using (lk.Read())
        {
            Assert.True(lk.IsReadLocked);
        }

        using (lk.Intent())
        {
            using (lk.Write())
            {
                Assert.True(lk.IsWriteLocked);
            }

            Assert.True(lk.IsIntentLocked);
        }

        Assert.False(lk.IsHeld);
        Assert.Equal("node", lk.Name);
        default(SixLockHandle).Dispose();
    }

    [Fact]
    public void DisposedLockRefusesEveryAcquisition()
    {
        var lk = new SixLock();
        int seq = lk.Seq;
        lk.Dispose();
        lk.Dispose();
        Assert.Throws<ObjectDisposedException>(() => lk.TryLock(SixLockType.Read));
        Assert.Throws<ObjectDisposedException>(() => lk.Lock(SixLockType.Intent));
        Assert.Throws<ObjectDisposedException>(() => lk.TryRelock(SixLockType.Read, seq));
        Assert.Throws<ObjectDisposedException>(() => lk.Lock(SixLockType.Write));
        Assert.False(lk.IsHeld);
    }

    [Fact]
    public void DisposeOfAHeldLockThrowsAndChangesNothing()
    {
        var lk = new SixLock();
        lk.Lock(SixLockType.Read);
        Assert.Throws<SixLockException>(lk.Dispose);
        lk.Unlock(SixLockType.Read);
        lk.Dispose();
    }
}
