using System.Runtime.CompilerServices;

using Primitives.Locking;

namespace Primitives.Tests.Locking;

internal static class LockOrderValidationSwitch
{
    /// <summary>Turns validation on for the test process before any lock is taken.</summary>
    [ModuleInitializer]
    internal static void Enable() => AppContext.SetSwitch(LockOrderValidator.SwitchName, true);
}

public class LockOrderValidatorTests
{
    [Fact]
    public void OppositeOrderIsReportedBeforeWaiting()
    {
        Assert.True(LockOrderValidator.IsEnabled);
        string a = "order-a-" + Guid.NewGuid(), b = "order-b-" + Guid.NewGuid();
        var la = new SixLock(name: a);
        var lb = new SixLock(name: b);
        using (la.Read())
        {
            Assert.True(LockOrderValidator.IsClassHeld(a));
            using (lb.Intent())
            {
                Assert.True(LockOrderValidator.IsClassHeld(b));
            }
        }

        Assert.False(LockOrderValidator.IsClassHeld(a));
        lb.Lock(SixLockType.Read);
        var ex = Assert.Throws<SixLockException>(() => la.Lock(SixLockType.Read));
        Assert.Contains("order", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(la.IsHeld);
        Assert.True(la.TryLock(SixLockType.Read)); // trylocks never wait, so never fail on order
        la.Unlock(SixLockType.Read);
        lb.Unlock(SixLockType.Read);
    }

    [Fact]
    public void NestingLocksOfOneClassIsExempt()
    {
        string c = "order-same-" + Guid.NewGuid();
        var l1 = new SixLock(name: c);
        var l2 = new SixLock(name: c);
        using (l1.Intent())
        using (l2.Intent())
        {
        }

        using (l2.Intent())
        using (l1.Intent())
        {
            Assert.True(LockOrderValidator.IsClassHeld(c));
        }
    }
}
