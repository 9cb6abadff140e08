namespace Primitives.Filesystem.Btrees;

/// <summary>A key position in a btree: (inode, offset), ordered by inode then offset.</summary>
/// <param name="Inode">The high part: an inode number, or 0 for keys not tied to an inode.</param>
/// <param name="Offset">The low part: a file offset, a name hash, a bucket number.</param>
public readonly record struct Bpos(ulong Inode, ulong Offset) : IComparable<Bpos>
{
    /// <summary>The smallest position.</summary>
    public static Bpos Min => new(0, 0);

    /// <summary>The largest position.</summary>
    public static Bpos Max => new(ulong.MaxValue, ulong.MaxValue);

    /// <inheritdoc />
    public int CompareTo(Bpos other)
    {
        int c = Inode.CompareTo(other.Inode);
        return c != 0 ? c : Offset.CompareTo(other.Offset);
    }

    /// <summary>Orders positions.</summary>
    public static bool operator <(Bpos left, Bpos right) => left.CompareTo(right) < 0;

    /// <summary>Orders positions.</summary>
    public static bool operator >(Bpos left, Bpos right) => left.CompareTo(right) > 0;

    /// <summary>Orders positions.</summary>
    public static bool operator <=(Bpos left, Bpos right) => left.CompareTo(right) <= 0;

    /// <summary>Orders positions.</summary>
    public static bool operator >=(Bpos left, Bpos right) => left.CompareTo(right) >= 0;

    /// <inheritdoc />
    public override string ToString() => $"{Inode}:{Offset}";
}
