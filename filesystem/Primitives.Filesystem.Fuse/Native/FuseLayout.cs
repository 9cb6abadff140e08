namespace Primitives.Filesystem.Fuse.Native;

/// <summary>
/// The managed layouts of the native structures, named as the C test program names them
/// ("sizeof stat", "stat.st_size", "FUSE_SET_ATTR_MODE"...), so a test can compare them with what
/// gcc computes from the installed headers.
/// </summary>
internal static unsafe class FuseLayout
{
    public static IReadOnlyDictionary<string, long> Describe()
    {
        var d = new Dictionary<string, long>();
        FuseLowlevelOps ops = default;
        d["sizeof fuse_lowlevel_ops"] = sizeof(FuseLowlevelOps);
        string[] opNames =
        [
            "init", "destroy", "lookup", "forget", "getattr", "setattr", "readlink", "mknod", "mkdir", "unlink", "rmdir",
            "symlink", "rename", "link", "open", "read", "write", "flush", "release", "fsync", "opendir", "readdir",
            "releasedir", "fsyncdir", "statfs", "setxattr", "getxattr", "listxattr", "removexattr", "access", "create",
            "getlk", "setlk", "bmap", "ioctl", "poll", "write_buf", "retrieve_reply", "forget_multi", "flock",
            "fallocate", "readdirplus", "copy_file_range", "lseek",
        ];
        nint* first = &ops.Init;
        nint*[] fields =
        [
            &ops.Init, &ops.Destroy, &ops.Lookup, &ops.Forget, &ops.Getattr, &ops.Setattr, &ops.Readlink, &ops.Mknod, &ops.Mkdir,
            &ops.Unlink, &ops.Rmdir, &ops.Symlink, &ops.Rename, &ops.Link, &ops.Open, &ops.Read, &ops.Write, &ops.Flush,
            &ops.Release, &ops.Fsync, &ops.Opendir, &ops.Readdir, &ops.Releasedir, &ops.Fsyncdir, &ops.Statfs, &ops.Setxattr,
            &ops.Getxattr, &ops.Listxattr, &ops.Removexattr, &ops.Access, &ops.Create, &ops.Getlk, &ops.Setlk, &ops.Bmap,
            &ops.Ioctl, &ops.Poll, &ops.WriteBuf, &ops.RetrieveReply, &ops.ForgetMulti, &ops.Flock, &ops.Fallocate,
            &ops.Readdirplus, &ops.CopyFileRange, &ops.Lseek,
        ];
        for (int i = 0; i < opNames.Length; i++)
        {
            d["fuse_lowlevel_ops." + opNames[i]] = (byte*)fields[i] - (byte*)first;
        }

        d["fuse_conn_info.max_write"] = FuseOperations.ConnInfoMaxWriteOffset;

        FuseEntryParam e = default;
        d["sizeof fuse_entry_param"] = sizeof(FuseEntryParam);
        d["fuse_entry_param.ino"] = Off(&e, &e.Ino);
        d["fuse_entry_param.generation"] = Off(&e, &e.Generation);
        d["fuse_entry_param.attr"] = Off(&e, &e.Attr);
        d["fuse_entry_param.attr_timeout"] = Off(&e, &e.AttrTimeout);
        d["fuse_entry_param.entry_timeout"] = Off(&e, &e.EntryTimeout);

        FuseFileInfo fi = default;
        d["sizeof fuse_file_info"] = sizeof(FuseFileInfo);
        d["fuse_file_info.flags"] = Off(&fi, &fi.Flags);
        d["fuse_file_info.fh"] = Off(&fi, &fi.Fh);
        d["fuse_file_info.lock_owner"] = Off(&fi, &fi.LockOwner);
        d["fuse_file_info.poll_events"] = Off(&fi, &fi.PollEvents);
        d["fuse_file_info.writepage_bit"] = Off(&fi, &fi.Bits) == 4 ? FuseFileInfo.WritePageBit : -1;
        d["fuse_file_info.direct_io_bit"] = Off(&fi, &fi.Bits) == 4 ? FuseFileInfo.DirectIoBit : -1;
        d["fuse_file_info.keep_cache_bit"] = Off(&fi, &fi.Bits) == 4 ? FuseFileInfo.KeepCacheBit : -1;

        FuseStat st = default;
        d["sizeof stat"] = sizeof(FuseStat);
        d["stat.st_dev"] = Off(&st, &st.Dev);
        d["stat.st_ino"] = Off(&st, &st.Ino);
        d["stat.st_nlink"] = Off(&st, &st.Nlink);
        d["stat.st_mode"] = Off(&st, &st.Mode);
        d["stat.st_uid"] = Off(&st, &st.Uid);
        d["stat.st_gid"] = Off(&st, &st.Gid);
        d["stat.st_rdev"] = Off(&st, &st.Rdev);
        d["stat.st_size"] = Off(&st, &st.Size);
        d["stat.st_blksize"] = Off(&st, &st.Blksize);
        d["stat.st_blocks"] = Off(&st, &st.Blocks);
        d["stat.st_atim"] = Off(&st, &st.AtimeSec);
        d["stat.st_mtim"] = Off(&st, &st.MtimeSec);
        d["stat.st_ctim"] = Off(&st, &st.CtimeSec);

        FuseStatvfs v = default;
        d["sizeof statvfs"] = sizeof(FuseStatvfs);
        d["statvfs.f_bsize"] = Off(&v, &v.Bsize);
        d["statvfs.f_frsize"] = Off(&v, &v.Frsize);
        d["statvfs.f_blocks"] = Off(&v, &v.Blocks);
        d["statvfs.f_bfree"] = Off(&v, &v.Bfree);
        d["statvfs.f_bavail"] = Off(&v, &v.Bavail);
        d["statvfs.f_files"] = Off(&v, &v.Files);
        d["statvfs.f_ffree"] = Off(&v, &v.Ffree);
        d["statvfs.f_favail"] = Off(&v, &v.Favail);
        d["statvfs.f_fsid"] = Off(&v, &v.Fsid);
        d["statvfs.f_flag"] = Off(&v, &v.Flag);
        d["statvfs.f_namemax"] = Off(&v, &v.Namemax);

        FuseCtx c = default;
        d["sizeof fuse_ctx"] = sizeof(FuseCtx);
        d["fuse_ctx.uid"] = Off(&c, &c.Uid);
        d["fuse_ctx.gid"] = Off(&c, &c.Gid);
        d["fuse_ctx.pid"] = Off(&c, &c.Pid);
        d["fuse_ctx.umask"] = Off(&c, &c.Umask);

        FuseArgs a = default;
        d["sizeof fuse_args"] = sizeof(FuseArgs);
        d["fuse_args.argc"] = Off(&a, &a.Argc);
        d["fuse_args.argv"] = Off(&a, &a.Argv);
        d["fuse_args.allocated"] = Off(&a, &a.Allocated);

        d["FUSE_VERSION"] = FuseNative.ExpectedVersion;
        d["FUSE_SET_ATTR_MODE"] = FuseSetAttr.Mode;
        d["FUSE_SET_ATTR_UID"] = FuseSetAttr.Uid;
        d["FUSE_SET_ATTR_GID"] = FuseSetAttr.Gid;
        d["FUSE_SET_ATTR_SIZE"] = FuseSetAttr.Size;
        d["FUSE_SET_ATTR_ATIME"] = FuseSetAttr.Atime;
        d["FUSE_SET_ATTR_MTIME"] = FuseSetAttr.Mtime;
        d["FUSE_SET_ATTR_ATIME_NOW"] = FuseSetAttr.AtimeNow;
        d["FUSE_SET_ATTR_MTIME_NOW"] = FuseSetAttr.MtimeNow;
        return d;
    }

    private static long Off<TStruct, TField>(TStruct* s, TField* f)
        where TStruct : unmanaged
        where TField : unmanaged => (byte*)f - (byte*)s;
}
