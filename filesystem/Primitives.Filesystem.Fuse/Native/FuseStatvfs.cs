using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary><c>struct statvfs</c> of Linux x86_64 (glibc), 112 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal unsafe struct FuseStatvfs
{
    public ulong Bsize;
    public ulong Frsize;
    public ulong Blocks;
    public ulong Bfree;
    public ulong Bavail;
    public ulong Files;
    public ulong Ffree;
    public ulong Favail;
    public ulong Fsid;
    public ulong Flag;
    public ulong Namemax;
    public fixed int Spare[6];
}
