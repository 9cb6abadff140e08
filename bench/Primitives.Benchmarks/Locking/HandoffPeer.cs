using Primitives.Locking;

namespace Primitives.Benchmarks.Locking;

/// <summary>
/// One lock as <see cref="HandoffLatencyBenchmarks"/> drives it: the holder's side
/// (<see cref="Hold"/>, <see cref="ReleaseHold"/>, always synchronous, on one dedicated thread) and
/// the waiter's side (<see cref="Wait"/> or, for asynchronous peers, <see cref="WaitAsync"/>, then
/// <see cref="ReleaseWait"/>). The two sides never hold at once, so one instance serves both.
/// </summary>
internal abstract class HandoffPeer
{
    protected HandoffPeer(string name, bool isAsync)
    {
        Name = name;
        IsAsync = isAsync;
    }

    public string Name { get; }

    public bool IsAsync { get; }

    public abstract void Hold();

    public abstract void ReleaseHold();

    public virtual void Wait() => throw new NotSupportedException($"{Name} waits asynchronously");

    public virtual ValueTask WaitAsync() => throw new NotSupportedException($"{Name} waits synchronously");

    public abstract void ReleaseWait();

    /// <summary>SixLock intent+write handed to the next intent+write taker (stamp before the write unlock).</summary>
    public static HandoffPeer SixLockWrite() => new SixWrite("SixLock write", readerWaits: false);

    /// <summary>SixLock: a reader blocked by write, woken by the writer's write unlock (intent stays held a moment longer).</summary>
    public static HandoffPeer SixLockReadAfterWrite() => new SixWrite("SixLock read after write", readerWaits: true);

    public static HandoffPeer SixLockWriteAsync() => new SixWriteAsync();

    public static HandoffPeer Monitor() => new MonitorPeer();

    public static HandoffPeer Lock() => new LockPeer();

    public static HandoffPeer SemaphoreSlim() => new SemaphorePeer(isAsync: false);

    public static HandoffPeer SemaphoreSlimAsync() => new SemaphorePeer(isAsync: true);

    public static HandoffPeer RwlsWrite() => new RwlsPeer();

    public static HandoffPeer DotNextExclusive() => new DotNextPeer();

    public static HandoffPeer NitoLock() => new NitoPeer();

    private sealed class SixWrite(string name, bool readerWaits) : HandoffPeer(name, isAsync: false)
    {
        private readonly SixLock _lock = new();

        public override void Hold()
        {
            _lock.Lock(SixLockType.Intent);
            _lock.Lock(SixLockType.Write);
        }

        public override void ReleaseHold()
        {
            _lock.Unlock(SixLockType.Write);
            _lock.Unlock(SixLockType.Intent);
        }

        public override void Wait()
        {
            if (readerWaits)
            {
                _lock.Lock(SixLockType.Read);
            }
            else
            {
                Hold();
            }
        }

        public override void ReleaseWait()
        {
            if (readerWaits)
            {
                _lock.Unlock(SixLockType.Read);
            }
            else
            {
                ReleaseHold();
            }
        }
    }

    private sealed class SixWriteAsync() : HandoffPeer("SixLock write (async waiter)", isAsync: true)
    {
        private readonly SixLock _lock = new();
        private SixLockHandle _intent;
        private SixLockHandle _write;

        public override void Hold()
        {
            _lock.Lock(SixLockType.Intent);
            _lock.Lock(SixLockType.Write);
        }

        public override void ReleaseHold()
        {
            _lock.Unlock(SixLockType.Write);
            _lock.Unlock(SixLockType.Intent);
        }

        public override async ValueTask WaitAsync()
        {
            _intent = await _lock.IntentAsync();
            _write = await _lock.WriteAsync(_intent);
        }

        public override void ReleaseWait()
        {
            _write.Dispose();
            _intent.Dispose();
        }
    }

    private sealed class MonitorPeer() : HandoffPeer("Monitor", isAsync: false)
    {
        private readonly object _gate = new();

        public override void Hold() => System.Threading.Monitor.Enter(_gate);

        public override void ReleaseHold() => System.Threading.Monitor.Exit(_gate);

        public override void Wait() => System.Threading.Monitor.Enter(_gate);

        public override void ReleaseWait() => System.Threading.Monitor.Exit(_gate);
    }

    private sealed class LockPeer() : HandoffPeer("Lock", isAsync: false)
    {
        private readonly System.Threading.Lock _lock = new();

        public override void Hold() => _lock.Enter();

        public override void ReleaseHold() => _lock.Exit();

        public override void Wait() => _lock.Enter();

        public override void ReleaseWait() => _lock.Exit();
    }

    private sealed class SemaphorePeer(bool isAsync) : HandoffPeer(isAsync ? "SemaphoreSlim (async waiter)" : "SemaphoreSlim", isAsync)
    {
        private readonly System.Threading.SemaphoreSlim _semaphore = new(1, 1);

        public override void Hold() => _semaphore.Wait();

        public override void ReleaseHold() => _semaphore.Release();

        public override void Wait() => _semaphore.Wait();

        public override ValueTask WaitAsync() => new(_semaphore.WaitAsync());

        public override void ReleaseWait() => _semaphore.Release();
    }

    private sealed class RwlsPeer() : HandoffPeer("ReaderWriterLockSlim write", isAsync: false)
    {
        private readonly ReaderWriterLockSlim _lock = new();

        public override void Hold() => _lock.EnterWriteLock();

        public override void ReleaseHold() => _lock.ExitWriteLock();

        public override void Wait() => _lock.EnterWriteLock();

        public override void ReleaseWait() => _lock.ExitWriteLock();
    }

    private sealed class DotNextPeer() : HandoffPeer("DotNext AsyncExclusiveLock", isAsync: true)
    {
        private readonly DotNext.Threading.AsyncExclusiveLock _lock = new();

        public override void Hold()
        {
            if (!_lock.TryAcquire())
            {
                throw new InvalidOperationException("the holder found the lock taken");
            }
        }

        public override void ReleaseHold() => _lock.Release();

        public override ValueTask WaitAsync() => _lock.AcquireAsync();

        public override void ReleaseWait() => _lock.Release();
    }

    private sealed class NitoPeer() : HandoffPeer("Nito AsyncLock", isAsync: true)
    {
        private readonly Nito.AsyncEx.AsyncLock _lock = new();
        private IDisposable? _held;
        private IDisposable? _waited;

        public override void Hold() => _held = _lock.Lock();

        public override void ReleaseHold() => _held!.Dispose();

        public override async ValueTask WaitAsync() => _waited = await _lock.LockAsync();

        public override void ReleaseWait() => _waited!.Dispose();
    }
}
