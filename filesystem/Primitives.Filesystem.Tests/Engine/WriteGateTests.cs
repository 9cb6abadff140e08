using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

public class WriteGateTests
{
    [Fact]
    public async Task FreezeWaitsForWritersInFlightAndHoldsNewOnesUntilUnfreeze()
    {
        var gate = new WriteGate("test", waitWhenFrozen: true);
        gate.Enter();
        var freeze = gate.CloseAndDrainAsync(CancellationToken.None).AsTask();
        await Task.Delay(20);
        Assert.False(freeze.IsCompleted); // a writer is still inside
        gate.Exit();
        await freeze.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(gate.IsFrozen);

        var blocked = Task.Run(() => gate.Enter());
        var blockedAsync = gate.EnterAsync(CancellationToken.None).AsTask();
        await Task.Delay(20);
        Assert.False(blocked.IsCompleted);
        Assert.False(blockedAsync.IsCompleted);
        Assert.Equal(0, gate.InFlight);

        gate.Open();
        await Task.WhenAll(blocked, blockedAsync).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, gate.InFlight);
        Assert.True(gate.FrozenWaits >= 2);
    }

    [Fact]
    public async Task FreezeInRefuseModeThrowsTypedErrorAndLetsNothingIn()
    {
        var gate = new WriteGate("dev0", waitWhenFrozen: false);
        await gate.CloseAndDrainAsync(CancellationToken.None);
        var e = Assert.Throws<FilesystemFrozenException>(() => gate.Enter());
        Assert.Contains("dev0", e.Message);
        await Assert.ThrowsAsync<FilesystemFrozenException>(() => gate.EnterAsync(CancellationToken.None).AsTask());
        Assert.Equal(0, gate.InFlight);
        Assert.Equal(2, gate.FrozenRefusals);
        gate.Open();
        gate.Enter();
        Assert.Equal(1, gate.InFlight);
    }

    [Fact]
    public async Task ReadOnlyWakesFrozenWaitersWithReadOnlyError()
    {
        var gate = new WriteGate("dev0", waitWhenFrozen: true);
        await gate.CloseAndDrainAsync(CancellationToken.None);
        var waiter = Task.Run(() => gate.Enter());
        await Task.Delay(20);
        gate.SetReadOnly("unmounted");
        var e = await Assert.ThrowsAsync<FilesystemReadOnlyException>(() => waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Contains("unmounted", e.Message);
    }

    [Fact]
    public async Task SecondFreezeIsRefused()
    {
        var gate = new WriteGate("dev0", waitWhenFrozen: true);
        await gate.CloseAndDrainAsync(CancellationToken.None);
        await Assert.ThrowsAsync<InvalidOperationException>(() => gate.CloseAndDrainAsync(CancellationToken.None).AsTask());
    }
}
