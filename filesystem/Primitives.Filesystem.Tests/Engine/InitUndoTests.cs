using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;

namespace Primitives.Filesystem.Tests.Engine;

public class InitUndoTests
{
    public static TheoryData<string> Steps() => new(MountedFilesystem.MountSteps);

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task FailureAtEveryMountStepUnwindsAndTheNextMountWorks(string failingStep)
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            await fs.KeyValues.FlushAsync(EngineFixture.Put(fs, BtreeId.Xattrs, 0, 50));
        }

        var seen = new List<string>();
        var options = EngineFixture.Quiet with
        {
            FlushInterval = TimeSpan.FromMilliseconds(5),
            StepHook = step =>
            {
                seen.Add(step);
                if (step == failingStep)
                {
                    throw new DeviceException(device.Name, DeviceOperation.Read, -1, 5, $"injected failure at '{step}'");
                }
            },
        };
        var e = await Assert.ThrowsAsync<DeviceException>(() => FileSystem.MountAsync(device, options));
        Assert.Contains(failingStep, e.Message);
        Assert.Equal(failingStep, seen[^1]);

        // Nothing of the failed mount keeps running or writing: the device is stable, and a normal mount works.
        long writes = device.WriteCount;
        await Task.Delay(30);
        Assert.Equal(writes, device.WriteCount);
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            EngineFixture.AssertPresent(fs, BtreeId.Xattrs, 0, 50);
            await fs.UnmountAsync();
        }
    }

    [Fact]
    public async Task DeviceFaultAtEveryWriteOfAMountNeverThrowsFromTeardownAndLosesNothingFlushed()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet))
        {
            await fs.KeyValues.FlushAsync(EngineFixture.Put(fs, BtreeId.Xattrs, 0, 50));
        }

        // Count the writes a clean mount makes, then fail each one in turn.
        var probe = device.Clone();
        long before = probe.WriteCount;
        await using (var fs = await FileSystem.MountAsync(probe, EngineFixture.Quiet))
        {
        }

        long mountWrites = probe.WriteCount - before;
        Assert.True(mountWrites > 0);
        int failedMounts = 0;
        for (long n = 1; n <= mountWrites; n++)
        {
            var copy = device.Clone();
            copy.Faults = new DeviceFaults { FailWriteNumber = copy.WriteCount + n };
            try
            {
                await using var fs = await FileSystem.MountAsync(copy, EngineFixture.Quiet);
            }
            catch (FilesystemException)
            {
                failedMounts++;
            }

            copy.Faults = null;
            await using (var fs = await FileSystem.MountAsync(copy, EngineFixture.Quiet))
            {
                EngineFixture.AssertPresent(fs, BtreeId.Xattrs, 0, 50);
            }
        }

        Assert.True(failedMounts > 0, "no injected write fault made a mount fail");
    }
}
