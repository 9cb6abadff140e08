using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary><c>struct fuse_args</c>: argc, argv, allocated.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseArgs
{
    public int Argc;
    public nint Argv;
    public int Allocated;
}
