/* Prints the sizes, offsets and constants of the libfuse 3.14 structures the C# binding declares,
   one "name value" per line, for FuseLayoutTests to compare with the managed layouts. */
#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define SIZE(t) printf("sizeof %s %zu\n", #t, sizeof(struct t))
#define OFF(t, f) printf("%s.%s %zu\n", #t, #f, offsetof(struct t, f))
#define CONST(c) printf("%s %ld\n", #c, (long)(c))

int main(void)
{
    SIZE(fuse_lowlevel_ops);
    OFF(fuse_conn_info, max_write);
    OFF(fuse_lowlevel_ops, init); OFF(fuse_lowlevel_ops, destroy); OFF(fuse_lowlevel_ops, lookup);
    OFF(fuse_lowlevel_ops, forget); OFF(fuse_lowlevel_ops, getattr); OFF(fuse_lowlevel_ops, setattr);
    OFF(fuse_lowlevel_ops, readlink); OFF(fuse_lowlevel_ops, mknod); OFF(fuse_lowlevel_ops, mkdir);
    OFF(fuse_lowlevel_ops, unlink); OFF(fuse_lowlevel_ops, rmdir); OFF(fuse_lowlevel_ops, symlink);
    OFF(fuse_lowlevel_ops, rename); OFF(fuse_lowlevel_ops, link); OFF(fuse_lowlevel_ops, open);
    OFF(fuse_lowlevel_ops, read); OFF(fuse_lowlevel_ops, write); OFF(fuse_lowlevel_ops, flush);
    OFF(fuse_lowlevel_ops, release); OFF(fuse_lowlevel_ops, fsync); OFF(fuse_lowlevel_ops, opendir);
    OFF(fuse_lowlevel_ops, readdir); OFF(fuse_lowlevel_ops, releasedir); OFF(fuse_lowlevel_ops, fsyncdir);
    OFF(fuse_lowlevel_ops, statfs); OFF(fuse_lowlevel_ops, setxattr); OFF(fuse_lowlevel_ops, getxattr);
    OFF(fuse_lowlevel_ops, listxattr); OFF(fuse_lowlevel_ops, removexattr); OFF(fuse_lowlevel_ops, access);
    OFF(fuse_lowlevel_ops, create); OFF(fuse_lowlevel_ops, getlk); OFF(fuse_lowlevel_ops, setlk);
    OFF(fuse_lowlevel_ops, bmap); OFF(fuse_lowlevel_ops, ioctl); OFF(fuse_lowlevel_ops, poll);
    OFF(fuse_lowlevel_ops, write_buf); OFF(fuse_lowlevel_ops, retrieve_reply); OFF(fuse_lowlevel_ops, forget_multi);
    OFF(fuse_lowlevel_ops, flock); OFF(fuse_lowlevel_ops, fallocate); OFF(fuse_lowlevel_ops, readdirplus);
    OFF(fuse_lowlevel_ops, copy_file_range); OFF(fuse_lowlevel_ops, lseek);

    SIZE(fuse_entry_param);
    OFF(fuse_entry_param, ino); OFF(fuse_entry_param, generation); OFF(fuse_entry_param, attr);
    OFF(fuse_entry_param, attr_timeout); OFF(fuse_entry_param, entry_timeout);

    SIZE(fuse_file_info);
    OFF(fuse_file_info, flags); OFF(fuse_file_info, fh); OFF(fuse_file_info, lock_owner); OFF(fuse_file_info, poll_events);
    {
        /* The bit fields: set each one alone and print the 32-bit word after flags. */
        struct fuse_file_info fi; unsigned int word;
        memset(&fi, 0, sizeof fi); fi.writepage = 1; memcpy(&word, (char *)&fi + sizeof(int), 4); printf("fuse_file_info.writepage_bit %u\n", word);
        memset(&fi, 0, sizeof fi); fi.direct_io = 1; memcpy(&word, (char *)&fi + sizeof(int), 4); printf("fuse_file_info.direct_io_bit %u\n", word);
        memset(&fi, 0, sizeof fi); fi.keep_cache = 1; memcpy(&word, (char *)&fi + sizeof(int), 4); printf("fuse_file_info.keep_cache_bit %u\n", word);
    }

    SIZE(stat);
    OFF(stat, st_dev); OFF(stat, st_ino); OFF(stat, st_nlink); OFF(stat, st_mode); OFF(stat, st_uid);
    OFF(stat, st_gid); OFF(stat, st_rdev); OFF(stat, st_size); OFF(stat, st_blksize); OFF(stat, st_blocks);
    OFF(stat, st_atim); OFF(stat, st_mtim); OFF(stat, st_ctim);

    SIZE(statvfs);
    OFF(statvfs, f_bsize); OFF(statvfs, f_frsize); OFF(statvfs, f_blocks); OFF(statvfs, f_bfree);
    OFF(statvfs, f_bavail); OFF(statvfs, f_files); OFF(statvfs, f_ffree); OFF(statvfs, f_favail);
    OFF(statvfs, f_fsid); OFF(statvfs, f_flag); OFF(statvfs, f_namemax);

    SIZE(fuse_ctx);
    OFF(fuse_ctx, uid); OFF(fuse_ctx, gid); OFF(fuse_ctx, pid); OFF(fuse_ctx, umask);

    SIZE(fuse_args);
    OFF(fuse_args, argc); OFF(fuse_args, argv); OFF(fuse_args, allocated);

    CONST(FUSE_VERSION);
    CONST(FUSE_SET_ATTR_MODE); CONST(FUSE_SET_ATTR_UID); CONST(FUSE_SET_ATTR_GID); CONST(FUSE_SET_ATTR_SIZE);
    CONST(FUSE_SET_ATTR_ATIME); CONST(FUSE_SET_ATTR_MTIME); CONST(FUSE_SET_ATTR_ATIME_NOW); CONST(FUSE_SET_ATTR_MTIME_NOW);
    return 0;
}
