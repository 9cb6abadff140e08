using System.Runtime.InteropServices;

using Microsoft.Win32.SafeHandles;

namespace Primitives.Filesystem.Fsx;

/// <summary>fallocate(2) for hole punching (there is no managed call).</summary>
internal static partial class Fallocate
{
    private const int KeepSize = 1;
    private const int PunchHole = 2;
    private const int EOPNOTSUPP = 95;

    /// <summary>Punches [offset, offset + length); false if the filesystem does not support it.</summary>
    public static bool TryPunchHole(SafeFileHandle handle, long offset, long length)
    {
        if (fallocate((int)handle.DangerousGetHandle(), PunchHole | KeepSize, offset, length) == 0)
        {
            return true;
        }

        int errno = Marshal.GetLastPInvokeError();
        return errno == EOPNOTSUPP ? false : throw new IOException($"fallocate(PUNCH_HOLE, {offset}, {length}) failed: errno {errno}");
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fallocate(int fd, int mode, long offset, long len);
}
