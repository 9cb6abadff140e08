using Primitives.Filesystem.Btrees;
using static Primitives.Filesystem.Tests.Btrees.BtreeFixture;

namespace Primitives.Filesystem.Tests.Btrees;

public sealed class BsetTests
{
    /// <summary>A sealed bset's Eytzinger search agrees with the open bset's binary search for every probe.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(100)]
    [InlineData(1023)]
    public void EytzingerSearchMatchesBinarySearch(int count)
    {
        var keys = Enumerable.Range(0, count).Select(i => new BtreeKey(P((ulong)i / 10, (ulong)i * 3), V((ulong)i, 2), false)).ToList();
        var open = new Bset(0, [.. keys], 1, isOpen: true);
        var sealedBset = new Bset(1, [.. keys], 1, isOpen: false);
        for (int i = -1; i <= count * 3 + 1; i++)
        {
            Bpos probe = i < 0 ? Bpos.Min : P((ulong)(i / 3) / 10, (ulong)i);
            Assert.Equal(open.Search(probe), sealedBset.Search(probe));
            Assert.Equal(open.LowerBound(probe), sealedBset.LowerBound(probe));
        }

        Assert.Equal(open.Search(Bpos.Max), sealedBset.Search(Bpos.Max));
    }

    [Fact]
    public void SealingAnOpenBsetKeepsLookupsRight()
    {
        var bset = new Bset(0, [], 0, isOpen: true);
        for (ulong i = 50; i > 0; i--)
        {
            bset.Upsert(new BtreeKey(P(1, i * 2), V(i), false), i);
        }

        Assert.Equal(50, bset.Count);
        bset.Seal();
        Assert.False(bset.IsOpen);
        for (ulong i = 1; i <= 50; i++)
        {
            Assert.True(bset.TryFind(P(1, i * 2), out BtreeKey key));
            Assert.Equal(V(i), key.Value.ToArray());
            Assert.False(bset.TryFind(P(1, i * 2 + 1), out _));
        }

        Assert.Equal(50UL, bset.JournalSeq);
    }
}
