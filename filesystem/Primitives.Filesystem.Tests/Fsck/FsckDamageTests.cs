using Primitives.Filesystem.Alloc;
using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Data;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Fsck;
using Primitives.Filesystem.Tests.Engine;
using FsckRunner = Primitives.Filesystem.Fsck.Fsck;

namespace Primitives.Filesystem.Tests.Fsck;

public class FsckDamageTests
{
    private static async Task<(MemoryBlockDevice Device, DataPointer Pointer)> ImageWithDataAsync()
    {
        var device = await EngineFixture.FormattedMemoryAsync();
        await using var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet);
        var pointer = await fs.Data.WriteAsync(EngineFixture.Value(1, 9000));
        byte[] value = new byte[ExtentValue.Size];
        ExtentValue.Write(value, pointer);
        using (var tx = fs.KeyValues.Begin())
        {
            tx.Set(BtreeId.Extents, new Bpos(3, 9000), value);
            tx.Commit();
        }

        EngineFixture.Put(fs, BtreeId.Xattrs, 0, 40);
        await fs.UnmountAsync();
        return (device, pointer);
    }

    /// <summary>Writes raw keys into the btrees behind the allocator's back (what a bug or a bit flip would leave), then unmounts.</summary>
    internal static async Task DamageAsync(MemoryBlockDevice device, Action<IKeyValueTransaction> damage)
    {
        await using var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet);
        using (var tx = fs.Store.Begin())
        {
            damage(tx);
            tx.Commit();
        }

        await fs.UnmountAsync();
    }

    private static async Task AssertRepairLeavesCleanAsync(MemoryBlockDevice device, FsckProblemKind expected)
    {
        var check = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        Assert.Contains(check.Problems, p => p.Kind == expected);
        Assert.All(check.Problems, p => Assert.False(p.Repaired));

        var repair = await FsckRunner.RunAsync(device, new FsckOptions { Repair = true });
        Assert.Contains(repair.Problems, p => p.Kind == expected && p.Repaired);
        Assert.Equal(0, repair.Unrepaired);

        var after = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        Assert.True(after.IsClean, after.ToString());

        // Idempotent: repairing a clean filesystem finds and changes nothing.
        var again = await FsckRunner.RunAsync(device, new FsckOptions { Repair = true });
        Assert.True(again.IsClean, again.ToString());
    }

    [Fact]
    public async Task WrongAllocKeySectorCountIsFoundAndRepaired()
    {
        var (device, pointer) = await ImageWithDataAsync();
        await DamageAsync(device, tx =>
        {
            Assert.True(tx.TryGet(BtreeId.Alloc, new Bpos(0, pointer.Bucket), out var raw));
            var key = AllocKey.Decode(raw.Span);
            tx.Set(BtreeId.Alloc, new Bpos(0, pointer.Bucket), (key with { DirtySectors = key.DirtySectors + 8 }).Encode());
        });
        await AssertRepairLeavesCleanAsync(device, FsckProblemKind.AllocKey);
    }

    [Fact]
    public async Task FreespaceIndexEntryForAnInUseBucketIsFoundAndRepaired()
    {
        var (device, pointer) = await ImageWithDataAsync();
        await DamageAsync(device, tx => tx.Set(BtreeId.Freespace, new Bpos(0, pointer.Bucket), new byte[4]));
        await AssertRepairLeavesCleanAsync(device, FsckProblemKind.FreespaceIndex);
    }

    [Fact]
    public async Task StaleDataPointerIsFoundAndItsExtentDroppedByRepair()
    {
        var (device, pointer) = await ImageWithDataAsync();
        var stale = pointer with { Generation = pointer.Generation - 1 };
        byte[] value = new byte[ExtentValue.Size];
        ExtentValue.Write(value, stale);
        await DamageAsync(device, tx => tx.Set(BtreeId.Extents, new Bpos(4, 1), value));
        await AssertRepairLeavesCleanAsync(device, FsckProblemKind.DataPointer);
        await using var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet with { ReadOnly = true });
        using var tx = fs.KeyValues.Begin();
        Assert.False(tx.TryGet(BtreeId.Extents, new Bpos(4, 1), out _));
        Assert.True(tx.TryGet(BtreeId.Extents, new Bpos(3, 9000), out _));
    }

    [Fact]
    public async Task FlippedByteInABtreeNodeIsReportedAsAChecksumProblem()
    {
        var (device, _) = await ImageWithDataAsync();
        NodeLocation location;
        await using (var fs = await FileSystem.MountAsync(device, EngineFixture.Quiet with { ReadOnly = true }))
        {
            location = fs.Store.GetNodes().First(n => n.Btree == BtreeId.Xattrs && n.Level == 0).Location!.Value;
        }

        byte[] block = new byte[512];
        device.Read(location.Offset + 512, block);
        block[100] ^= 0x5A;
        device.Write(location.Offset + 512, block);

        var check = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        var problem = Assert.Single(check.Problems);
        Assert.Equal(FsckProblemKind.NodeChecksum, problem.Kind);

        // Repair cannot rebuild a lost node (gap: no tolerant btree open yet): it says so instead of claiming success.
        var repair = await FsckRunner.RunAsync(device, new FsckOptions { Repair = true });
        Assert.True(repair.Unrepaired > 0);
    }
}
