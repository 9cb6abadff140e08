using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary><c>struct fuse_ctx</c>: who made a request.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseCtx
{
    public uint Uid;
    public uint Gid;
    public int Pid;
    public uint Umask;
}
