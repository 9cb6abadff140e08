using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Fuse.Native;

/// <summary>The libfuse3 low-level API and the few libc calls the mount needs.</summary>
internal static unsafe partial class FuseNative
{
    /// <summary>The shared library name (the runtime resolves it with the usual loader path).</summary>
    public const string Library = "libfuse3.so.3";

    /// <summary>FUSE_VERSION of the libfuse this binding's struct layouts were written for.</summary>
    public const int ExpectedVersion = 314;

    [LibraryImport(Library, EntryPoint = "fuse_version")]
    public static partial int Version();

    [LibraryImport(Library, EntryPoint = "fuse_session_new")]
    public static partial nint SessionNew(FuseArgs* args, FuseLowlevelOps* ops, nuint opSize, nint userdata);

    [LibraryImport(Library, EntryPoint = "fuse_session_mount", StringMarshalling = StringMarshalling.Utf8)]
    public static partial int SessionMount(nint session, string mountpoint);

    [LibraryImport(Library, EntryPoint = "fuse_session_loop")]
    public static partial int SessionLoop(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_session_loop_mt_312")]
    public static partial int SessionLoopMt(nint session, nint config);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_create")]
    public static partial nint LoopCfgCreate();

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_destroy")]
    public static partial void LoopCfgDestroy(nint config);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_clone_fd")]
    public static partial void LoopCfgSetCloneFd(nint config, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_max_threads")]
    public static partial void LoopCfgSetMaxThreads(nint config, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_loop_cfg_set_idle_threads")]
    public static partial void LoopCfgSetIdleThreads(nint config, uint value);

    [LibraryImport(Library, EntryPoint = "fuse_session_exit")]
    public static partial void SessionExit(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_session_unmount")]
    public static partial void SessionUnmount(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_session_destroy")]
    public static partial void SessionDestroy(nint session);

    [LibraryImport(Library, EntryPoint = "fuse_req_userdata")]
    public static partial nint ReqUserdata(nint req);

    [LibraryImport(Library, EntryPoint = "fuse_req_ctx")]
    public static partial FuseCtx* ReqCtx(nint req);

    [LibraryImport(Library, EntryPoint = "fuse_reply_err")]
    public static partial int ReplyErr(nint req, int err);

    [LibraryImport(Library, EntryPoint = "fuse_reply_none")]
    public static partial void ReplyNone(nint req);

    [LibraryImport(Library, EntryPoint = "fuse_reply_entry")]
    public static partial int ReplyEntry(nint req, FuseEntryParam* entry);

    [LibraryImport(Library, EntryPoint = "fuse_reply_create")]
    public static partial int ReplyCreate(nint req, FuseEntryParam* entry, FuseFileInfo* fi);

    [LibraryImport(Library, EntryPoint = "fuse_reply_attr")]
    public static partial int ReplyAttr(nint req, FuseStat* attr, double attrTimeout);

    [LibraryImport(Library, EntryPoint = "fuse_reply_readlink")]
    public static partial int ReplyReadlink(nint req, byte* link);

    [LibraryImport(Library, EntryPoint = "fuse_reply_open")]
    public static partial int ReplyOpen(nint req, FuseFileInfo* fi);

    [LibraryImport(Library, EntryPoint = "fuse_reply_write")]
    public static partial int ReplyWrite(nint req, nuint count);

    [LibraryImport(Library, EntryPoint = "fuse_reply_buf")]
    public static partial int ReplyBuf(nint req, byte* buf, nuint size);

    [LibraryImport(Library, EntryPoint = "fuse_reply_statfs")]
    public static partial int ReplyStatfs(nint req, FuseStatvfs* stbuf);

    [LibraryImport(Library, EntryPoint = "fuse_reply_xattr")]
    public static partial int ReplyXattr(nint req, nuint count);

    [LibraryImport(Library, EntryPoint = "fuse_add_direntry")]
    public static partial nuint AddDirentry(nint req, byte* buf, nuint bufsize, byte* name, FuseStat* stbuf, long off);

    /// <summary>umount2(2): MNT_DETACH = 2 (lazy).</summary>
    [LibraryImport("libc", EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    public static partial int Umount2(string target, int flags);

    public const int MntDetach = 2;

    [LibraryImport("libc", EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Mount(string source, string target, string type, nuint flags, nint data);

    /// <summary>Mounts fusectl (the FUSE control filesystem) at <paramref name="target"/>; errors are ignored (then abort is unavailable).</summary>
    public static void MountFusectl(string target) => Mount("fusectl", target, "fusectl", 0, 0);
}
