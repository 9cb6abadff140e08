using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary><c>struct stat</c> of Linux x86_64 (glibc), 144 bytes; checked against the headers by a test.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseStat
{
    public ulong Dev;
    public ulong Ino;
    public ulong Nlink;
    public uint Mode;
    public uint Uid;
    public uint Gid;
    public int Pad0;
    public ulong Rdev;
    public long Size;
    public long Blksize;
    public long Blocks;
    public long AtimeSec;
    public long AtimeNsec;
    public long MtimeSec;
    public long MtimeNsec;
    public long CtimeSec;
    public long CtimeNsec;
    public long Reserved0;
    public long Reserved1;
    public long Reserved2;
}
