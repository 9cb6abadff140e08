using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary><c>struct fuse_entry_param</c> (libfuse 3.14), 176 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseEntryParam
{
    public ulong Ino;
    public ulong Generation;
    public FuseStat Attr;
    public double AttrTimeout;
    public double EntryTimeout;
}
