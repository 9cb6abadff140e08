using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary><c>struct fuse_file_info</c> (libfuse 3.14), 40 bytes: the bit fields live in <see cref="Bits"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseFileInfo
{
    /// <summary>Bit 0 of <see cref="Bits"/>: writepage.</summary>
    public const uint WritePageBit = 1u << 0;

    /// <summary>Bit 1: direct_io.</summary>
    public const uint DirectIoBit = 1u << 1;

    /// <summary>Bit 2: keep_cache.</summary>
    public const uint KeepCacheBit = 1u << 2;

    public int Flags;
    public uint Bits;
    public uint Padding2;
    public ulong Fh;
    public ulong LockOwner;
    public uint PollEvents;
}
