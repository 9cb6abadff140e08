namespace Primitives.Filesystem.Devices;

/// <summary>
/// A block device in memory, for tests: sparse (64 KiB chunks allocated on first write, so a
/// large mostly-empty device is cheap to create and to copy), with optional fault injection
/// (<see cref="Faults"/>) and optional yielding on every operation (<see cref="YieldOnIo"/>), so
/// that under Coyote every I/O is a point where other tasks may run.
/// </summary>
/// <remarks>
/// Thread safety: every member is thread-safe; each operation is atomic with respect to the
/// others (one <see cref="Monitor"/> lock, which Coyote controls). Writes are immediately "durable"
/// here: use <see cref="RecordingBlockDevice"/> to model what a crash would keep.
/// </remarks>
public sealed class MemoryBlockDevice : BlockDevice
{
    /// <summary>The size of one storage chunk: the unit of allocation and of copying.</summary>
    public const int ChunkSize = 64 * 1024;

    private const int EIO = 5;

    private readonly object _lock = new();
    private readonly byte[]?[] _chunks;
    private readonly long _size;
    private readonly int _logicalBlockSize;
    private readonly string _name;
    private long _reads;
    private long _writes;
    private long _flushes;
    private long _discards;

    /// <summary>Creates a zeroed device.</summary>
    /// <param name="size">The size in bytes: a positive multiple of <paramref name="logicalBlockSize"/>.</param>
    /// <param name="logicalBlockSize">The logical block size: a power of two from 512 to 65536 (default 512).</param>
    /// <param name="name">A name for messages (default "memory").</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is out of range or misaligned.</exception>
    public MemoryBlockDevice(long size, int logicalBlockSize = 512, string name = "memory")
    {
        if (logicalBlockSize is < 512 or > ChunkSize || (logicalBlockSize & (logicalBlockSize - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(logicalBlockSize), logicalBlockSize, "must be a power of two from 512 to 65536");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(size, logicalBlockSize);
        if (size % logicalBlockSize != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size, $"must be a multiple of the logical block size {logicalBlockSize}");
        }

        _size = size;
        _logicalBlockSize = logicalBlockSize;
        _name = name;
        _chunks = new byte[]?[checked((int)((size + ChunkSize - 1) / ChunkSize))];
    }

    /// <inheritdoc />
    public override string Name => _name;

    /// <inheritdoc />
    public override long Size => _size;

    /// <inheritdoc />
    public override int LogicalBlockSize => _logicalBlockSize;

    /// <inheritdoc />
    public override bool SupportsDiscard => true;

    /// <summary>Fault injection: which operations fail. <see langword="null"/> (default) fails nothing.</summary>
    public DeviceFaults? Faults { get; set; }

    /// <summary>
    /// When true, every operation first yields (<c>await Task.Yield()</c>) so that it completes
    /// asynchronously: under Coyote each I/O becomes a scheduling point, as a real device's would be.
    /// </summary>
    public bool YieldOnIo { get; set; }

    /// <summary>Called (under the device's lock) with (offset, length) at each discard, before the range is zeroed: lets a test check that nothing live is discarded.</summary>
    public Action<long, long>? DiscardObserver { get; set; }

    /// <summary>Reads started so far (including failed ones).</summary>
    public long ReadCount => Interlocked.Read(ref _reads);

    /// <summary>Writes started so far (including failed ones).</summary>
    public long WriteCount => Interlocked.Read(ref _writes);

    /// <summary>Flushes started so far (including failed ones).</summary>
    public long FlushCount => Interlocked.Read(ref _flushes);

    /// <summary>Discards started so far (including failed ones).</summary>
    public long DiscardCount => Interlocked.Read(ref _discards);

    /// <inheritdoc />
    public override async ValueTask ReadAsync(long offset, Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        cancellationToken.ThrowIfCancellationRequested();
        if (YieldOnIo)
        {
            await Task.Yield();
        }

        long n = Interlocked.Increment(ref _reads);
        Faults?.ThrowIfFails(this, DeviceOperation.Read, n, offset);
        Read(offset, buffer.Span);
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(long offset, ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, buffer.Length);
        cancellationToken.ThrowIfCancellationRequested();
        if (YieldOnIo)
        {
            await Task.Yield();
        }

        long n = Interlocked.Increment(ref _writes);
        Faults?.ThrowIfFails(this, DeviceOperation.Write, n, offset);
        Write(offset, buffer.Span);
    }

    /// <inheritdoc />
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (YieldOnIo)
        {
            await Task.Yield();
        }

        long n = Interlocked.Increment(ref _flushes);
        Faults?.ThrowIfFails(this, DeviceOperation.Flush, n, -1);
    }

    /// <inheritdoc />
    /// <remarks>Zeroes the range (whole chunks are dropped).</remarks>
    public override async ValueTask DiscardAsync(long offset, long length, CancellationToken cancellationToken = default)
    {
        ValidateRange(offset, length);
        cancellationToken.ThrowIfCancellationRequested();
        if (YieldOnIo)
        {
            await Task.Yield();
        }

        long n = Interlocked.Increment(ref _discards);
        Faults?.ThrowIfFails(this, DeviceOperation.Discard, n, offset);
        lock (_lock)
        {
            DiscardObserver?.Invoke(offset, length);
            Zero(offset, length);
        }
    }

    /// <summary>Reads synchronously (no fault injection, no counting): for tests and for <see cref="RecordingBlockDevice"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is misaligned or outside the device.</exception>
    public void Read(long offset, Span<byte> destination)
    {
        ValidateRange(offset, destination.Length);
        lock (_lock)
        {
            while (!destination.IsEmpty)
            {
                int index = (int)(offset / ChunkSize);
                int within = (int)(offset % ChunkSize);
                int n = Math.Min(destination.Length, ChunkSize - within);
                byte[]? chunk = _chunks[index];
                if (chunk is null)
                {
                    destination[..n].Clear();
                }
                else
                {
                    chunk.AsSpan(within, n).CopyTo(destination);
                }

                destination = destination[n..];
                offset += n;
            }
        }
    }

    /// <summary>Writes synchronously (no fault injection, no counting): for tests and for <see cref="RecordingBlockDevice"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is misaligned or outside the device.</exception>
    public void Write(long offset, ReadOnlySpan<byte> source)
    {
        ValidateRange(offset, source.Length);
        lock (_lock)
        {
            while (!source.IsEmpty)
            {
                int index = (int)(offset / ChunkSize);
                int within = (int)(offset % ChunkSize);
                int n = Math.Min(source.Length, ChunkSize - within);
                byte[] chunk = _chunks[index] ??= new byte[ChunkSize];
                source[..n].CopyTo(chunk.AsSpan(within));
                source = source[n..];
                offset += n;
            }
        }
    }

    /// <summary>A copy of the device's current contents (no faults, no observer, counters at zero).</summary>
    public MemoryBlockDevice Clone(string? name = null)
    {
        var copy = new MemoryBlockDevice(_size, _logicalBlockSize, name ?? _name);
        lock (_lock)
        {
            for (int i = 0; i < _chunks.Length; i++)
            {
                copy._chunks[i] = (byte[]?)_chunks[i]?.Clone();
            }
        }

        return copy;
    }

    /// <summary>The number of chunks holding data (written and not discarded): memory in use is this times <see cref="ChunkSize"/>.</summary>
    public int AllocatedChunks
    {
        get
        {
            lock (_lock)
            {
                return _chunks.Count(c => c is not null);
            }
        }
    }

    private void Zero(long offset, long length)
    {
        while (length > 0)
        {
            int index = (int)(offset / ChunkSize);
            int within = (int)(offset % ChunkSize);
            int n = (int)Math.Min(length, ChunkSize - within);
            if (within == 0 && n == ChunkSize)
            {
                _chunks[index] = null;
            }
            else
            {
                _chunks[index]?.AsSpan(within, n).Clear();
            }

            offset += n;
            length -= n;
        }
    }

    internal static DeviceException InjectedFault(BlockDevice device, DeviceOperation operation, long number, long offset) =>
        new(device.Name, operation, offset, EIO, $"injected fault ({operation} #{number})");
}
