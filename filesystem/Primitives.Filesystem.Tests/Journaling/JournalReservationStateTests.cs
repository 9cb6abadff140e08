using CsCheck;
using Primitives.Filesystem.Journaling;

namespace Primitives.Filesystem.Tests.Journaling;

/// <summary>The packed reservation word: field packing, and a property test against a plain model.</summary>
public sealed class JournalReservationStateTests
{
    [Fact]
    public void InitialStateIsClosedOnBufferZeroWithNoReferences()
    {
        JournalReservationState s = JournalReservationState.Initial;
        Assert.True(s.IsClosed);
        Assert.False(s.IsOpen);
        Assert.Equal(0, s.Index);
        Assert.Equal(0, s.UnwrittenIndex);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(0, s.Count(i));
        }
    }

    [Fact]
    public void OpenReserveCloseReleasePackAndUnpackEveryField()
    {
        JournalReservationState s = JournalReservationState.Initial.OpenNext();
        Assert.Equal(1, s.Index);
        Assert.True(s.IsOpen);
        Assert.Equal(0, s.Offset);
        Assert.Equal(1, s.Count(1)); // the open entry's reference

        Assert.True(s.TryReserve(100, 1000, out s));
        Assert.True(s.TryReserve(900, 1000, out s));
        Assert.Equal(1000, s.Offset);
        Assert.Equal(3, s.Count(1));
        Assert.False(s.TryReserve(1, 1000, out JournalReservationState same));
        Assert.Equal(s, same);

        s = s.Close();
        Assert.True(s.IsClosed);
        Assert.False(s.TryReserve(0, 1000, out _));
        s = s.Release(1).Release(1).Release(1);
        Assert.Equal(0, s.Count(1));
        Assert.Equal(1, s.Index);

        s = s.AdvanceUnwritten().AdvanceUnwritten();
        Assert.Equal(2, s.UnwrittenIndex);
        s = s.OpenNext().Close().OpenNext().Close().OpenNext(); // wraps 2, 3, 0
        Assert.Equal(0, s.Index);
        Assert.Equal(2, s.UnwrittenIndex);
        Assert.Equal(1, s.Count(2));
        Assert.Equal(1, s.Count(3));
        Assert.Equal(1, s.Count(0));
    }

    [Fact]
    public void HighFieldsSurviveTheSignBit()
    {
        // Unwritten index 3 sets bit 63: the word is negative; every field still unpacks.
        JournalReservationState s = JournalReservationState.Initial.AdvanceUnwritten().AdvanceUnwritten().AdvanceUnwritten();
        Assert.True(s.Value < 0);
        Assert.Equal(3, s.UnwrittenIndex);
        Assert.True(s.IsClosed);
        s = s.OpenNext().OpenNextAfterClose().OpenNextAfterClose();
        Assert.Equal(3, s.Index);
        Assert.Equal(3, s.UnwrittenIndex);
    }

    [Fact]
    public void CountStopsAtItsMaximumInsteadOfCarryingIntoTheNextField()
    {
        JournalReservationState s = JournalReservationState.Initial.OpenNext();
        for (int i = 1; i < JournalReservationState.MaxCount; i++)
        {
            Assert.True(s.TryReserve(0, 10, out s));
        }

        Assert.Equal(JournalReservationState.MaxCount, s.Count(1));
        Assert.False(s.TryReserve(0, 10, out _));
        Assert.Equal(0, s.Count(2));
    }

    [Fact]
    public void FailMarksTheWordSoNoReservationSucceeds()
    {
        JournalReservationState s = JournalReservationState.Initial.OpenNext().Fail();
        Assert.True(s.IsError);
        Assert.False(s.IsOpen);
        Assert.False(s.TryReserve(0, 100, out _));
        Assert.Equal(1, s.Count(1));
    }

    private enum Op
    {
        Reserve,
        Release,
        Close,
        Open,
        Written,
    }

    /// <summary>
    /// Random operation sequences applied to the word and to a model with one plain field per
    /// quantity; after every step every field of the word equals the model's.
    /// </summary>
    [Fact]
    public void PackedWordMatchesASimpleModel()
    {
        Gen.Select(Gen.Enum<Op>(), Gen.Int[0, 300], Gen.Int[0, 3]).Array[1, 300].Sample(ops =>
        {
            JournalReservationState s = JournalReservationState.Initial;
            var counts = new int[4];
            int index = 0, unwritten = 0, offset = 0;
            bool open = false;
            const int capacity = 5000;
            foreach ((Op op, int bytes, int buffer) in ops)
            {
                switch (op)
                {
                    case Op.Reserve:
                        bool fits = open && offset + bytes <= capacity && counts[index] < JournalReservationState.MaxCount;
                        Assert.Equal(fits, s.TryReserve(bytes, capacity, out s));
                        if (fits)
                        {
                            offset += bytes;
                            counts[index]++;
                        }

                        break;
                    case Op.Release:
                        if (counts[buffer] > 0)
                        {
                            s = s.Release(buffer);
                            counts[buffer]--;
                        }

                        break;
                    case Op.Close:
                        if (open)
                        {
                            s = s.Close();
                            open = false;
                        }

                        break;
                    case Op.Open:
                        if (!open && counts[(index + 1) & 3] == 0)
                        {
                            s = s.OpenNext();
                            index = (index + 1) & 3;
                            counts[index] = 1;
                            offset = 0;
                            open = true;
                        }

                        break;
                    case Op.Written:
                        s = s.AdvanceUnwritten();
                        unwritten = (unwritten + 1) & 3;
                        break;
                }

                Assert.Equal(index, s.Index);
                Assert.Equal(unwritten, s.UnwrittenIndex);
                Assert.Equal(open, s.IsOpen);
                Assert.Equal(!open, s.IsClosed);
                if (open)
                {
                    Assert.Equal(offset, s.Offset);
                }

                for (int i = 0; i < 4; i++)
                {
                    Assert.Equal(counts[i], s.Count(i));
                }
            }
        }, iter: 2000);
    }
}

internal static class JournalReservationStateTestExtensions
{
    public static JournalReservationState OpenNextAfterClose(this JournalReservationState s) => s.Close().OpenNext();
}
