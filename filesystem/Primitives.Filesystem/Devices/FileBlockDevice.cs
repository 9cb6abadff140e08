using System.Buffers;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using Primitives.Filesystem.Devices.Native;
using Primitives.Statistics;

namespace Primitives.Filesystem.Devices;

/// <summary>
/// A Linux block device (a loop device, a disk) or a regular image file, opened with open(2) so
/// that O_DIRECT and O_EXCL really apply (.NET's own file options cannot ask for either on Linux).
/// </summary>
/// <remarks>
/// <para>Exclusivity: a block device is opened with O_EXCL, so a second exclusive open (in any
/// process) or a mounted device fails with EBUSY, reported as <see cref="DeviceBusyException"/>; an
/// image file takes an exclusive non-blocking flock for the same effect.</para>
/// <para>Direct I/O: buffers whose address is not 4 KiB aligned are copied through pooled aligned
/// bounce buffers (<see cref="AlignedBufferPool"/>), in chunks of at most 1 MiB.</para>
/// <para>Thread safety: every operation may be called concurrently; at most
/// <see cref="FileBlockDeviceOptions.MaxInFlight"/> reads and writes run at once (the rest wait).
/// <see cref="BlockDevice.Dispose()"/> must not race with operations.</para>
/// </remarks>
public sealed class FileBlockDevice : BlockDevice
{
    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly long _size;
    private readonly int _logicalBlockSize;
    private readonly SemaphoreSlim _inFlight;
    private readonly AlignedBufferPool _bounce = new();

    private FileBlockDevice(SafeFileHandle handle, string path, bool isBlockDevice, FileBlockDeviceOptions options, long size, int logicalBlockSize, int physicalBlockSize)
    {
        _handle = handle;
        _path = path;
        IsBlockDevice = isBlockDevice;
        IsReadOnly = options.ReadOnly;
        IsDirectIo = options.DirectIo;
        _size = size;
        _logicalBlockSize = logicalBlockSize;
        PhysicalBlockSize = physicalBlockSize;
        _inFlight = new SemaphoreSlim(options.MaxInFlight, options.MaxInFlight);
    }

    /// <inheritdoc />
    public override string Name => _path;

    /// <inheritdoc />
    public override long Size => _size;

    /// <inheritdoc />
    public override int LogicalBlockSize => _logicalBlockSize;

    /// <summary>The physical block size (BLKPBSZGET on a block device; the logical size for an image file).</summary>
    public int PhysicalBlockSize { get; }

    /// <inheritdoc />
    public override bool SupportsDiscard => !IsReadOnly;

    /// <summary>Whether this is a block device (otherwise a regular image file).</summary>
    public bool IsBlockDevice { get; }

    /// <summary>Whether the device was opened read-only.</summary>
    public bool IsReadOnly { get; }

    /// <summary>Whether the device was opened with O_DIRECT.</summary>
    public bool IsDirectIo { get; }

    /// <summary>Read latencies.</summary>
    public TimeStats ReadStats { get; } = new("device.read");

    /// <summary>Write latencies.</summary>
    public TimeStats WriteStats { get; } = new("device.write");

    /// <summary>Flush (fdatasync) latencies.</summary>
    public TimeStats FlushStats { get; } = new("device.flush");

    /// <summary>How many reads or writes went through a bounce buffer (the caller's memory was not aligned).</summary>
    public long BouncedCount => Interlocked.Read(ref _bouncedCount);

    private long _bouncedCount;

    /// <summary>Opens <paramref name="path"/>, a block device or a regular image file.</summary>
    /// <param name="path">The device or image path.</param>
    /// <param name="options">How to open it; <see langword="null"/> for the defaults (read-write, O_DIRECT, exclusive).</param>
    /// <returns>The open device; dispose it to close.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="DeviceBusyException">The device is already open exclusively (or mounted), or the image file is locked.</exception>
    /// <exception cref="DeviceException">open(2), the size query or the lock failed (missing file, permissions, no O_DIRECT support, not a block device or regular file).</exception>
    public static FileBlockDevice Open(string path, FileBlockDeviceOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new FileBlockDeviceOptions();
        options.Validate();

        int type = LinuxNative.FileType(path, out int statErrno);
        if (type == 0)
        {
            throw new DeviceException(path, DeviceOperation.Open, -1, statErrno, "cannot stat the path");
        }

        bool isBlock = type == LinuxNative.S_IFBLK;
        if (!isBlock && type != LinuxNative.S_IFREG)
        {
            throw new DeviceException(path, DeviceOperation.Open, -1, 0, "not a block device or a regular file");
        }

        int flags = (options.ReadOnly ? LinuxNative.O_RDONLY : LinuxNative.O_RDWR) | LinuxNative.O_CLOEXEC;
        if (options.DirectIo)
        {
            flags |= LinuxNative.O_DIRECT;
        }

        if (isBlock && options.Exclusive)
        {
            flags |= LinuxNative.O_EXCL; // Linux: exclusive open of a block device (EBUSY if held or mounted)
        }

        int fd;
        int errno;
        do
        {
            fd = LinuxNative.Open(path, flags, 0);
            errno = fd < 0 ? Marshal.GetLastPInvokeError() : 0;
        }
        while (fd < 0 && errno == LinuxNative.EINTR);

        if (fd < 0)
        {
            if (errno == LinuxNative.EBUSY && isBlock)
            {
                throw new DeviceBusyException(path, errno, $"block device {path} is already open exclusively (by this or another process) or mounted");
            }

            string detail = errno == LinuxNative.EINVAL && options.DirectIo
                ? "open(2) with O_DIRECT was refused (the filesystem holding the image may not support direct I/O; open with DirectIo = false)"
                : "open(2) failed";
            throw new DeviceException(path, DeviceOperation.Open, -1, errno, detail);
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            if (!isBlock && options.Exclusive && LinuxNative.Flock(fd, LinuxNative.LOCK_EX | LinuxNative.LOCK_NB) != 0)
            {
                int lockErrno = Marshal.GetLastPInvokeError();
                if (lockErrno == LinuxNative.EAGAIN)
                {
                    throw new DeviceBusyException(path, lockErrno, $"image file {path} is already open exclusively (flock held by this or another process)");
                }

                throw new DeviceException(path, DeviceOperation.Open, -1, lockErrno, "flock(LOCK_EX|LOCK_NB) failed");
            }

            long size;
            int logical;
            int physical;
            if (isBlock)
            {
                size = checked((long)QueryU64(fd, path, LinuxNative.BLKGETSIZE64, "BLKGETSIZE64"));
                logical = QueryInt(fd, path, LinuxNative.BLKSSZGET, "BLKSSZGET");
                physical = QueryInt(fd, path, LinuxNative.BLKPBSZGET, "BLKPBSZGET");
            }
            else
            {
                logical = options.ImageLogicalBlockSize;
                physical = logical;
                size = RandomAccess.GetLength(handle);
                size -= size % logical; // a partial trailing block is not addressable
            }

            return new FileBlockDevice(handle, path, isBlock, options, size, logical, physical);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using TimeStatsScope timing = ReadStats.Measure();
            if (!IsDirectIo || AlignedBuffer.IsAligned(buffer, AlignedBuffer.Alignment))
            {
                using MemoryHandle pin = buffer.Pin(); // keeps the address checked above for the whole call
                await ReadExactlyAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _bouncedCount);
            for (int done = 0; done < buffer.Length;)
            {
                int chunk = Math.Min(buffer.Length - done, AlignedBufferPool.MaxBufferSize);
                AlignedBuffer bounce = _bounce.Rent(chunk);
                try
                {
                    await ReadExactlyAsync(offset + done, bounce.Memory[..chunk], cancellationToken).ConfigureAwait(false);
                    bounce.Memory.Span[..chunk].CopyTo(buffer.Span[done..]);
                }
                finally
                {
                    _bounce.Return(bounce);
                }

                done += chunk;
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        ThrowIfReadOnly(DeviceOperation.Write, offset);
        await _inFlight.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            using TimeStatsScope timing = WriteStats.Measure();
            if (!IsDirectIo || AlignedBuffer.IsAligned(buffer, AlignedBuffer.Alignment))
            {
                using MemoryHandle pin = buffer.Pin();
                await WriteCheckedAsync(offset, buffer, cancellationToken).ConfigureAwait(false);
                return;
            }

            Interlocked.Increment(ref _bouncedCount);
            for (int done = 0; done < buffer.Length;)
            {
                int chunk = Math.Min(buffer.Length - done, AlignedBufferPool.MaxBufferSize);
                AlignedBuffer bounce = _bounce.Rent(chunk);
                try
                {
                    buffer.Span.Slice(done, chunk).CopyTo(bounce.Memory.Span);
                    await WriteCheckedAsync(offset + done, bounce.Memory[..chunk], cancellationToken).ConfigureAwait(false);
                }
                finally
                {
                    _bounce.Return(bounce);
                }

                done += chunk;
            }
        }
        finally
        {
            _inFlight.Release();
        }
    }

    /// <inheritdoc />
    /// <remarks>fdatasync(2) on a thread-pool thread (it blocks until the device cache is flushed).</remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using TimeStatsScope timing = FlushStats.Measure();
        int errno = await Task.Run(() => WithFd(static fd => LinuxNative.Fdatasync(fd) == 0 ? 0 : Marshal.GetLastPInvokeError()), cancellationToken).ConfigureAwait(false);
        if (errno != 0)
        {
            throw new DeviceException(_path, DeviceOperation.Flush, -1, errno, "fdatasync failed");
        }
    }

    /// <inheritdoc />
    /// <remarks>BLKDISCARD on a block device; fallocate(PUNCH_HOLE | KEEP_SIZE) on an image file. Either way reads of the range return zeros afterwards on a loop device or an ext4/xfs image.</remarks>
    public override async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, length);
        ThrowIfReadOnly(DeviceOperation.Discard, offset);
        cancellationToken.ThrowIfCancellationRequested();
        if (length == 0)
        {
            return;
        }

        bool block = IsBlockDevice;
        int errno = await Task.Run(() => WithFd(fd => block ? Discard(fd, offset, length) : PunchHole(fd, offset, length)), cancellationToken).ConfigureAwait(false);
        if (errno != 0)
        {
            throw new DeviceException(_path, DeviceOperation.Discard, offset, errno, block ? $"BLKDISCARD of {length} bytes failed" : $"fallocate(PUNCH_HOLE) of {length} bytes failed");
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _handle.Dispose();
            _bounce.Dispose();
            _inFlight.Dispose();
        }

        base.Dispose(disposing);
    }

    private static unsafe int Discard(int fd, long offset, long length)
    {
        ulong* range = stackalloc ulong[2];
        range[0] = (ulong)offset;
        range[1] = (ulong)length;
        return LinuxNative.Ioctl(fd, LinuxNative.BLKDISCARD, range) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    private static int PunchHole(int fd, long offset, long length) =>
        LinuxNative.Fallocate(fd, LinuxNative.FALLOC_FL_PUNCH_HOLE | LinuxNative.FALLOC_FL_KEEP_SIZE, offset, length) == 0 ? 0 : Marshal.GetLastPInvokeError();

    private static ulong QueryU64(int fd, string path, ulong request, string name)
    {
        if (LinuxNative.Ioctl(fd, request, out ulong value) != 0)
        {
            throw new DeviceException(path, DeviceOperation.Query, -1, Marshal.GetLastPInvokeError(), $"ioctl {name} failed");
        }

        return value;
    }

    private static int QueryInt(int fd, string path, ulong request, string name)
    {
        if (LinuxNative.Ioctl(fd, request, out int value) != 0)
        {
            throw new DeviceException(path, DeviceOperation.Query, -1, Marshal.GetLastPInvokeError(), $"ioctl {name} failed");
        }

        return value;
    }

    /// <summary>Runs a system call on the descriptor while holding a reference on the handle (so a concurrent dispose cannot close and reuse the fd).</summary>
    private int WithFd(Func<int, int> call)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            return call((int)_handle.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    private async ValueTask ReadExactlyAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken)
    {
        int done = 0;
        while (done < buffer.Length)
        {
            int n;
            try
            {
                n = await RandomAccess.ReadAsync(_handle, buffer[done..], offset + done, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw new DeviceException(_path, DeviceOperation.Read, offset + done, e.HResult, e.Message, e);
            }

            if (n == 0)
            {
                throw new DeviceException(_path, DeviceOperation.Read, offset + done, 0, $"short read: end of device after {done} of {buffer.Length} bytes");
            }

            done += n;
        }
    }

    private async ValueTask WriteCheckedAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            await RandomAccess.WriteAsync(_handle, buffer, offset, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            throw new DeviceException(_path, DeviceOperation.Write, offset, e.HResult, e.Message, e);
        }
    }

    private void ThrowIfReadOnly(DeviceOperation operation, long offset)
    {
        if (IsReadOnly)
        {
            throw new DeviceException(_path, operation, offset, 9 /* EBADF */, "the device is open read-only");
        }
    }
}
