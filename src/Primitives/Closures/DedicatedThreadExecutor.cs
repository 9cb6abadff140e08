namespace Primitives.Closures;

/// <summary>
/// An <see cref="IClosureExecutor"/> that runs continuations one at a time, in the order they were
/// queued, on a thread of its own (a journal writer, a completion thread that must not block the
/// thread pool).
/// </summary>
/// <remarks>
/// Thread safety: <see cref="Enqueue"/> is safe from any thread. <see cref="Dispose"/> stops
/// accepting work, lets the queued continuations run, and joins the thread (unless called from it).
/// A continuation that throws ends the thread's loop and the exception is unhandled (the process
/// ends), as for any thread. Parks on a <see cref="Monitor"/>.
/// </remarks>
public sealed class DedicatedThreadExecutor : IClosureExecutor, IDisposable
{
    private readonly Queue<IThreadPoolWorkItem> _queue = new();
    private readonly Thread _thread;
    private bool _stopping; // guarded by _queue

    /// <summary>Starts the thread.</summary>
    /// <param name="name">The thread's name, for debuggers and dumps.</param>
    /// <exception cref="ArgumentNullException"><paramref name="name"/> is null.</exception>
    public DedicatedThreadExecutor(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        _thread = new Thread(Loop) { Name = name, IsBackground = true };
        _thread.Start();
    }

    /// <inheritdoc/>
    /// <exception cref="ObjectDisposedException">The executor has been disposed.</exception>
    public void Enqueue(IThreadPoolWorkItem work)
    {
        ArgumentNullException.ThrowIfNull(work);
        lock (_queue)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            _queue.Enqueue(work);
            if (_queue.Count == 1)
                Monitor.Pulse(_queue); // the loop waits only when the queue is empty
        }
    }

    /// <summary>Runs what is queued, then stops the thread and waits for it.</summary>
    public void Dispose()
    {
        lock (_queue)
        {
            if (_stopping)
                return;
            _stopping = true;
            Monitor.Pulse(_queue);
        }
        if (Thread.CurrentThread != _thread)
            _thread.Join();
    }

    private void Loop()
    {
        while (true)
        {
            IThreadPoolWorkItem work;
            lock (_queue)
            {
                while (_queue.Count == 0)
                {
                    if (_stopping)
                        return;
                    Monitor.Wait(_queue);
                }
                work = _queue.Dequeue();
            }
            work.Execute(); // outside the lock: continuations may enqueue more
        }
    }
}
