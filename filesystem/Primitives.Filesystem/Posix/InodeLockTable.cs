using Primitives.Locking;

namespace Primitives.Filesystem.Posix;

/// <summary>
/// The <see cref="SixLock"/>s that serialise read-modify-write of inodes: inode numbers map to a
/// fixed set of stripes by hash. Readers take read on one stripe; an update takes intent on every
/// stripe it touches in ascending stripe order (so two updates never wait on each other in a
/// cycle), reads and prepares its changes while readers go on, then takes write on all of them
/// only around the commit.
/// </summary>
internal sealed class InodeLockTable
{
    private readonly SixLock[] _stripes;
    private readonly int _shift;

    public InodeLockTable(int stripes)
    {
        if (stripes < 1 || (stripes & (stripes - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(stripes), stripes, "must be a power of two");
        }

        _stripes = new SixLock[stripes];
        for (int i = 0; i < stripes; i++)
        {
            _stripes[i] = new SixLock(SixLockOptions.None, "posix-inode");
        }

        _shift = 64 - int.Log2(stripes);
    }

    /// <summary>Takes read on the stripe of <paramref name="ino"/>.</summary>
    public SixLockHandle Read(ulong ino) => _stripes[Stripe(ino)].Read();

    /// <summary>Takes intent on the stripes of the given inodes (0 entries are ignored), in stripe order.</summary>
    public IntentSet Intent(ulong a, ulong b = 0, ulong c = 0, ulong d = 0)
    {
        Span<int> picked = stackalloc int[4];
        int n = 0;
        foreach (ulong ino in (ReadOnlySpan<ulong>)[a, b, c, d])
        {
            if (ino == 0)
            {
                continue;
            }

            int s = Stripe(ino);
            if (!picked[..n].Contains(s))
            {
                picked[n++] = s;
            }
        }

        picked[..n].Sort();
        var set = new IntentSet(new SixLock[n]);
        for (int i = 0; i < n; i++)
        {
            _stripes[picked[i]].Lock(SixLockType.Intent);
            set.Locks[i] = _stripes[picked[i]];
            set.Held = i + 1;
        }

        return set;
    }

    private int Stripe(ulong ino) => _stripes.Length == 1 ? 0 : (int)((ino * 0x9E3779B97F4A7C15UL) >> _shift);

    /// <summary>Intent holds on a sorted set of stripes; <see cref="Write"/> upgrades them for a commit.</summary>
    internal sealed class IntentSet(SixLock[] locks) : IDisposable
    {
        private bool _write;

        public SixLock[] Locks { get; } = locks;

        public int Held { get; set; }

        /// <summary>Takes write on every held stripe (readers drain); released by <see cref="EndWrite"/> or <see cref="Dispose"/>.</summary>
        public void Write()
        {
            if (_write)
            {
                return;
            }

            for (int i = 0; i < Held; i++)
            {
                Locks[i].Lock(SixLockType.Write);
            }

            _write = true;
        }

        /// <summary>Drops write, keeping intent.</summary>
        public void EndWrite()
        {
            if (!_write)
            {
                return;
            }

            for (int i = Held - 1; i >= 0; i--)
            {
                Locks[i].Unlock(SixLockType.Write);
            }

            _write = false;
        }

        public void Dispose()
        {
            EndWrite();
            for (int i = Held - 1; i >= 0; i--)
            {
                Locks[i].Unlock(SixLockType.Intent);
            }

            Held = 0;
        }
    }
}
