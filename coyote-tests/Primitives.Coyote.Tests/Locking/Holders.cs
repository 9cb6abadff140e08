using Microsoft.Coyote.Specifications;
using Primitives.Locking;

namespace Primitives.Coyote.Tests.Locking;

/// <summary>
/// Ghost bookkeeping of who holds a <see cref="SixLock"/>, asserted on every change. Callers
/// record an acquisition right after the lock call returns and a release right before the unlock
/// call, so each recorded hold lies inside the real one: an overlap seen here is a real overlap
/// (no false alarms), and the lock's own <see cref="SixLock.Counts"/> must agree with what is held.
/// Coyote runs one task at a time between scheduling points, so plain fields suffice.
/// </summary>
internal sealed class Holders(SixLock sixLock)
{
    public const string Exclusion = "six lock exclusion violated";

    private int _readers, _intent, _write;

    public SixLock Lock => sixLock;

    public void Acquired(SixLockType type)
    {
        switch (type)
        {
            case SixLockType.Read: _readers++; break;
            case SixLockType.Intent: _intent++; break;
            case SixLockType.Write: _write++; break;
        }

        this.Check($"after acquiring {type}");
        SixLockCounts counts = sixLock.Counts();
        // Per-CPU mode: Counts() sums the slots, which include a failing reader's transient
        // increment (it backs out after seeing the write bit), so only the ghost counts there.
        Specification.Assert(type != SixLockType.Write || (counts.Write > 0 && (counts.Readers == 0 || sixLock.IsPerCpuReaders)), $"{Exclusion}: write acquired but Counts() is {counts}");
        Specification.Assert(type != SixLockType.Intent || counts.Intent > 0, $"intent acquired but Counts() is {counts}");
    }

    public void Releasing(SixLockType type)
    {
        switch (type)
        {
            case SixLockType.Read: _readers--; break;
            case SixLockType.Intent: _intent--; break;
            case SixLockType.Write: _write--; break;
        }

        this.Check($"releasing {type}");
    }

    /// <summary>Takes <paramref name="type"/> (write: under the caller's intent) and records it.</summary>
    public void Take(SixLockType type)
    {
        sixLock.Lock(type);
        this.Acquired(type);
    }

    public void Release(SixLockType type)
    {
        this.Releasing(type);
        sixLock.Unlock(type);
    }

    /// <summary>The lock is entirely free at the end of a scenario: nothing held, nothing leaked.</summary>
    public void AssertFree(string when)
    {
        SixLockCounts counts = sixLock.Counts();
        Specification.Assert(counts.Readers == 0 && counts.Intent == 0 && counts.Write == 0, $"lock not free {when}: {counts}");
        Specification.Assert(sixLock.TryLock(SixLockType.Intent), $"intent cannot be taken {when}: the lock leaked ({sixLock.Counts()})");
        Specification.Assert(sixLock.TryLock(SixLockType.Write), $"write cannot be taken {when} ({sixLock.Counts()})");
        sixLock.Unlock(SixLockType.Write);
        sixLock.Unlock(SixLockType.Intent);
    }

    private void Check(string when)
    {
        Specification.Assert(_intent <= 1, $"{Exclusion}: {_intent} intent holders ({when})");
        Specification.Assert(_write <= 1, $"{Exclusion}: {_write} write holders ({when})");
        Specification.Assert(_write == 0 || _readers == 0, $"{Exclusion}: write held with {_readers} readers ({when})");
        Specification.Assert(_write == 0 || _intent == 1, $"{Exclusion}: write held without intent ({when})");
    }
}
