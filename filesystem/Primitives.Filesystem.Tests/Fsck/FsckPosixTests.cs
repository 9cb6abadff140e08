using Primitives.Filesystem.Btrees;
using Primitives.Filesystem.Devices;
using Primitives.Filesystem.Engine;
using Primitives.Filesystem.Fsck;
using Primitives.Filesystem.Posix;
using Primitives.Filesystem.Tests.Posix;
using FsckRunner = Primitives.Filesystem.Fsck.Fsck;

namespace Primitives.Filesystem.Tests.Fsck;

/// <summary>fsck's POSIX pass: directory entries against inodes, and link counts, on damaged images.</summary>
public class FsckPosixTests
{
    private sealed record Tree(ulong Dir, ulong File, ulong Linked, ulong Sub);

    /// <summary>A POSIX tree: /d (directory) with /d/f, /d/s (subdirectory), /h and /d/h2 (hard links of one file), a symlink, and an orphan (open, unlinked).</summary>
    private static async Task<(MemoryBlockDevice Device, Tree Tree)> PosixImageAsync()
    {
        var device = new MemoryBlockDevice(64 << 20);
        await FileSystem.FormatAsync(device, EnginePosixFixture.Format);
        await using var mounted = await FileSystem.MountAsync(device, MountOptions.Default);
        var fs = PosixFilesystem.Open(mounted.KeyValues, mounted.Data);
        const uint File = FileTypeBits.Regular | 0x1A4;
        Inode dir = fs.MakeDirectory(Inode.RootIno, "d"u8, 0x1ED, 0, 0);
        Inode file = fs.CreateNode(dir.Ino, "f"u8, File, 0, 0, 0);
        Inode sub = fs.MakeDirectory(dir.Ino, "s"u8, 0x1ED, 0, 0);
        Inode linked = fs.CreateNode(Inode.RootIno, "h"u8, File, 0, 0, 0);
        fs.Link(linked.Ino, dir.Ino, "h2"u8);
        fs.CreateSymlink(sub.Ino, "l"u8, "../f"u8, 0, 0);
        Inode orphan = fs.CreateNode(Inode.RootIno, "o"u8, File, 0, 0, 0, open: true);
        fs.Unlink(Inode.RootIno, "o"u8); // still open: an orphan with no links, as after a crash
        Assert.Equal(0u, fs.GetAttributes(orphan.Ino).Nlink);
        await mounted.UnmountAsync();
        return (device, new Tree(dir.Ino, file.Ino, linked.Ino, sub.Ino));
    }

    private static void SetNlink(IKeyValueTransaction tx, ulong ino, uint nlink)
    {
        Assert.True(tx.TryGet(BtreeId.Inodes, Inode.Key(ino), out var raw));
        Inode inode = Inode.Decode(ino, raw.Span);
        inode.Nlink = nlink;
        tx.Set(BtreeId.Inodes, Inode.Key(ino), inode.Encode());
    }

    private static async Task<FsckReport> AssertRepairedAsync(MemoryBlockDevice device, params (FsckProblemKind Kind, string Location)[] expected)
    {
        var check = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        Assert.True(check.Counts.PosixChecked);
        Assert.Equal(expected.OrderBy(e => e.Location), check.Problems.Select(p => (p.Kind, p.Location)).OrderBy(e => e.Location));

        var repair = await FsckRunner.RunAsync(device, new FsckOptions { Repair = true });
        Assert.Equal(0, repair.Unrepaired);
        var after = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        Assert.True(after.IsClean, after.ToString());
        return check;
    }

    [Fact]
    public async Task ACleanPosixTreeWithHardLinksSubdirectoriesAndAnOrphanIsClean()
    {
        var (device, _) = await PosixImageAsync();
        var report = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        Assert.True(report.IsClean, report.ToString());
        Assert.True(report.Counts.PosixChecked);
        Assert.Contains("link counts checked", report.Counts.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnEngineWithoutThePosixLayerSkipsThePosixPass()
    {
        var device = await Engine.EngineFixture.FormattedMemoryAsync();
        var report = await FsckRunner.RunAsync(device, FsckOptions.CheckOnly);
        Assert.True(report.IsClean, report.ToString());
        Assert.False(report.Counts.PosixChecked);
    }

    [Fact]
    public async Task AnEntryNamingAMissingInodeIsDeletedAndTheParentCountStays()
    {
        var (device, tree) = await PosixImageAsync();
        Bpos entry = default;
        await FsckDamageTests.DamageAsync(device, tx =>
        {
            entry = tx.Range(BtreeId.Dirents, new Bpos(tree.Dir, 0), new Bpos(tree.Dir, ulong.MaxValue))
                .First(kv => PosixKeys.TryReadDirentTarget(kv.Value.Span, out ulong t) && t == tree.File).Key;
            tx.Delete(BtreeId.Inodes, Inode.Key(tree.File));
        });

        await AssertRepairedAsync(device, (FsckProblemKind.DanglingDirent, $"dirent {entry}"));
        await using var fs = await FileSystem.MountAsync(device, MountOptions.Default);
        using var tx = fs.KeyValues.Begin();
        Assert.False(tx.TryGet(BtreeId.Dirents, entry, out _));
    }

    [Fact]
    public async Task AnEntryInADirectoryThatDoesNotExistIsDeleted()
    {
        var (device, tree) = await PosixImageAsync();
        var stray = new Bpos(999_999, 12345);
        await FsckDamageTests.DamageAsync(device, tx => tx.Set(BtreeId.Dirents, stray, new Dirent(tree.File, 8, "ghost"u8.ToArray()).Encode()));

        // The stray entry is not counted towards the file's links: only the entry is reported.
        await AssertRepairedAsync(device, (FsckProblemKind.DanglingDirent, $"dirent {stray}"));
    }

    [Fact]
    public async Task WrongLinkCountsOfAHardLinkedFileAndADirectoryAreFoundAndRepaired()
    {
        var (device, tree) = await PosixImageAsync();
        await FsckDamageTests.DamageAsync(device, tx =>
        {
            SetNlink(tx, tree.Linked, 5); // two entries name it
            SetNlink(tx, tree.Dir, 2);    // 2 + one subdirectory
        });

        await AssertRepairedAsync(device, (FsckProblemKind.LinkCount, $"inode {tree.Linked}"), (FsckProblemKind.LinkCount, $"inode {tree.Dir}"));
        await using var fs = await FileSystem.MountAsync(device, MountOptions.Default);
        var posix = PosixFilesystem.Open(fs.KeyValues, fs.Data);
        Assert.Equal(2u, posix.GetAttributes(tree.Linked).Nlink);
        Assert.Equal(3u, posix.GetAttributes(tree.Dir).Nlink);
    }

    [Fact]
    public async Task AFileNoEntryNamesGetsZeroLinksAndBecomesAnOrphan()
    {
        var (device, tree) = await PosixImageAsync();
        await FsckDamageTests.DamageAsync(device, tx =>
        {
            foreach (var kv in tx.Range(BtreeId.Dirents, new Bpos(tree.Dir, 0), new Bpos(tree.Dir, ulong.MaxValue)).ToList())
            {
                if (PosixKeys.TryReadDirentTarget(kv.Value.Span, out ulong t) && t == tree.File)
                {
                    tx.Delete(BtreeId.Dirents, kv.Key);
                }
            }
        });

        await AssertRepairedAsync(device, (FsckProblemKind.LinkCount, $"inode {tree.File}"));
    }

    [Fact]
    public async Task ADirectoryNamedTwiceIsReportedAndLeftForTheUser()
    {
        var (device, tree) = await PosixImageAsync();
        await FsckDamageTests.DamageAsync(device, tx => tx.Set(BtreeId.Dirents, new Bpos(Inode.RootIno, 777), new Dirent(tree.Sub, 4, "again"u8.ToArray()).Encode()));

        var repair = await FsckRunner.RunAsync(device, new FsckOptions { Repair = true });
        Assert.Contains(repair.Problems, p => p.Kind == FsckProblemKind.LinkCount && p.Location == $"inode {tree.Sub}" && !p.Repaired);
    }
}
