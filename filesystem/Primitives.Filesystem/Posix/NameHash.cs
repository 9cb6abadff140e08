namespace Primitives.Filesystem.Posix;

/// <summary>Hashes a directory entry or extended attribute name to its home slot.</summary>
/// <param name="name">The name.</param>
/// <returns>A 64-bit hash; the POSIX layer folds it into [<see cref="NameHash.MinSlot"/>, 2^62).</returns>
public delegate ulong NameHashFunction(ReadOnlySpan<byte> name);

/// <summary>The name hash (FNV-1a, 64 bits) and the slot space of directory entries and xattrs.</summary>
public static class NameHash
{
    /// <summary>
    /// The smallest slot: readdir cookies 1 and 2 are "." and "..", and a cookie is the slot + 1,
    /// so slots start above them.
    /// </summary>
    public const ulong MinSlot = 16;

    /// <summary>How many slots after the home slot a colliding name may take (then ENOSPC).</summary>
    public const int ProbeWindow = 64;

    private const ulong SlotMask = (1UL << 62) - 1;

    /// <summary>FNV-1a over the name bytes.</summary>
    public static ulong Fnv1a(ReadOnlySpan<byte> name)
    {
        ulong h = 14695981039346656037UL;
        foreach (byte c in name)
        {
            h = (h ^ c) * 1099511628211UL;
        }

        return h;
    }

    /// <summary>The home slot of a hash: below 2^62 (cookies stay positive off_t values), at least <see cref="MinSlot"/>.</summary>
    public static ulong HomeSlot(ulong hash)
    {
        ulong slot = hash & SlotMask;
        return slot < MinSlot ? slot + MinSlot : slot;
    }
}
