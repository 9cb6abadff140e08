using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary>
/// <c>struct fuse_lowlevel_ops</c> of libfuse 3.14 (FUSE_USE_VERSION 314): one function pointer per
/// operation, in header order; null entries get libfuse's default (ENOSYS, or success for a few).
/// Typed as <c>nint</c> here and filled with <c>delegate* unmanaged</c> addresses by <see cref="FuseOperations"/>.
/// </summary>
[StructLayout(LayoutKind.Sequential)]
internal struct FuseLowlevelOps
{
    public nint Init;
    public nint Destroy;
    public nint Lookup;
    public nint Forget;
    public nint Getattr;
    public nint Setattr;
    public nint Readlink;
    public nint Mknod;
    public nint Mkdir;
    public nint Unlink;
    public nint Rmdir;
    public nint Symlink;
    public nint Rename;
    public nint Link;
    public nint Open;
    public nint Read;
    public nint Write;
    public nint Flush;
    public nint Release;
    public nint Fsync;
    public nint Opendir;
    public nint Readdir;
    public nint Releasedir;
    public nint Fsyncdir;
    public nint Statfs;
    public nint Setxattr;
    public nint Getxattr;
    public nint Listxattr;
    public nint Removexattr;
    public nint Access;
    public nint Create;
    public nint Getlk;
    public nint Setlk;
    public nint Bmap;
    public nint Ioctl;
    public nint Poll;
    public nint WriteBuf;
    public nint RetrieveReply;
    public nint ForgetMulti;
    public nint Flock;
    public nint Fallocate;
    public nint Readdirplus;
    public nint CopyFileRange;
    public nint Lseek;
}
