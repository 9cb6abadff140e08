using System.Runtime.InteropServices;

namespace Primitives.Filesystem.Devices.Native;

/// <summary>
/// The few Linux system calls the file device needs and .NET does not expose: open(2) with
/// O_DIRECT/O_EXCL, flock(2), fdatasync(2), the block-device ioctls, fallocate(2) and statx(2).
/// Constants are the x86-64/arm64 Linux values (the generic ABI).
/// </summary>
internal static partial class LinuxNative
{
    public const int O_RDONLY = 0x0;
    public const int O_RDWR = 0x2;
    public const int O_EXCL = 0x80;
    public const int O_DIRECT = 0x4000;
    public const int O_CLOEXEC = 0x80000;

    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;

    public const int EINTR = 4;
    public const int EAGAIN = 11; // also EWOULDBLOCK
    public const int EBUSY = 16;
    public const int EINVAL = 22;
    public const int ENOTTY = 25;
    public const int EOPNOTSUPP = 95;

    public const ulong BLKGETSIZE64 = 0x80081272; // _IOR(0x12, 114, size_t): u64 size in bytes
    public const ulong BLKSSZGET = 0x1268; // _IO(0x12, 104): int logical sector size
    public const ulong BLKPBSZGET = 0x127B; // _IO(0x12, 123): unsigned physical sector size
    public const ulong BLKDISCARD = 0x1277; // _IO(0x12, 119): u64[2] { offset, length }

    public const int FALLOC_FL_KEEP_SIZE = 0x1;
    public const int FALLOC_FL_PUNCH_HOLE = 0x2;

    private const int AT_FDCWD = -100;
    private const uint STATX_TYPE = 0x1;
    private const int StatxBufferSize = 256; // sizeof(struct statx)
    private const int StatxModeOffset = 28; // offsetof(struct statx, stx_mode): u16
    private const int S_IFMT = 0xF000;
    public const int S_IFBLK = 0x6000;
    public const int S_IFREG = 0x8000;

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    public static partial int Flock(int fd, int operation);

    [LibraryImport("libc", EntryPoint = "fdatasync", SetLastError = true)]
    public static partial int Fdatasync(int fd);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, out ulong value);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static partial int Ioctl(int fd, ulong request, out int value);

    [LibraryImport("libc", EntryPoint = "ioctl", SetLastError = true)]
    public static unsafe partial int Ioctl(int fd, ulong request, ulong* range);

    [LibraryImport("libc", EntryPoint = "fallocate", SetLastError = true)]
    public static partial int Fallocate(int fd, int mode, long offset, long length);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int Statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", EntryPoint = "strerror")]
    private static partial nint StrErrorNative(int errnum);

    /// <summary>The file type bits (S_IFMT) of <paramref name="path"/>, following symlinks; 0 and the errno on failure.</summary>
    public static unsafe int FileType(string path, out int errno)
    {
        byte* buffer = stackalloc byte[StatxBufferSize];
        new Span<byte>(buffer, StatxBufferSize).Clear();
        if (Statx(AT_FDCWD, path, 0, STATX_TYPE, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            return 0;
        }

        errno = 0;
        return *(ushort*)(buffer + StatxModeOffset) & S_IFMT;
    }

    /// <summary>The C library's text for <paramref name="errno"/>.</summary>
    public static string StrError(int errno)
    {
        try
        {
            return Marshal.PtrToStringUTF8(StrErrorNative(errno)) ?? $"errno {errno}";
        }
        catch (DllNotFoundException)
        {
            return $"errno {errno}";
        }
    }
}
