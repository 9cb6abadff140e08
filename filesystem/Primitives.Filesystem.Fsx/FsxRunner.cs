using System.Diagnostics;

using Microsoft.Win32.SafeHandles;

namespace Primitives.Filesystem.Fsx;

/// <summary>
/// Runs random operations on files in a directory and checks every byte read (and every size seen)
/// against <see cref="ModelFile"/>s. The operation mix: reads, writes (inside and past the end),
/// truncates down and up, extends with a hole, hole punches, renames (to a fresh name and over
/// another file), fsyncs, close/reopen, stat, and whole-file verification.
/// </summary>
internal sealed class FsxRunner(FsxOptions options, TextWriter output)
{
    private readonly Random _rng = new(options.Seed);
    private readonly Queue<string> _log = new();
    private readonly List<ModelFile> _models = [];
    private readonly List<SafeFileHandle?> _handles = [];
    private long _op;
    private long _bytesWritten;
    private long _bytesRead;
    private int _nameCounter;
    private bool _punch = options.Punch;

    public long Run()
    {
        string dir = options.Directory;
        for (int i = 0; i < options.Files; i++)
        {
            var model = new ModelFile(Path.Combine(dir, $"fsx.{options.Seed}.{i}"));
            _models.Add(model);
            _handles.Add(File.OpenHandle(model.Path, FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite));
        }

        var clock = Stopwatch.StartNew();
        try
        {
            while (options.Duration is TimeSpan d ? clock.Elapsed < d : _op < options.Ops)
            {
                _op++;
                Step();
                if (!options.Quiet && _op % 10_000 == 0)
                {
                    output.WriteLine($"fsx: {_op} ops, {_bytesWritten >> 20} MiB written, {_bytesRead >> 20} MiB read");
                }
            }
        }
        catch
        {
            // Leave the files for inspection, but close them: an open handle would keep a
            // FUSE mount from unmounting.
            for (int i = 0; i < _handles.Count; i++)
            {
                Close(i);
            }

            throw;
        }

        for (int i = 0; i < _models.Count; i++)
        {
            Close(i);
            Verify(i);
            File.Delete(_models[i].Path);
        }

        return _op;
    }

    /// <summary>The operation log and the seed, for a failure report.</summary>
    public string Report() =>
        $"fsx: seed {options.Seed}, failed at op {_op}; last {_log.Count} ops:\n  " + string.Join("\n  ", _log);

    private void Log(string entry)
    {
        _log.Enqueue($"{_op}: {entry}");
        if (_log.Count > options.LogOps)
        {
            _log.Dequeue();
        }
    }

    private void Step()
    {
        int i = _rng.Next(_models.Count);
        var m = _models[i];
        switch (_rng.Next(100))
        {
            case < 30: Read(i, m); break;
            case < 60: Write(i, m, _rng.Next(options.MaxSize)); break;
            case < 65: Write(i, m, Math.Min(options.MaxSize - 1, m.Length + _rng.Next(1, 4 * 65536))); break; // extend leaving a hole
            case < 72:
                {
                    int size = _rng.Next(options.MaxSize);
                    Log($"truncate {Name(m)} {m.Length} -> {size}");
                    RandomAccess.SetLength(Handle(i), size);
                    m.Truncate(size);
                    break;
                }

            case < 77:
                if (_punch)
                {
                    int off = _rng.Next(options.MaxSize), len = _rng.Next(1, options.MaxIo);
                    Log($"punch {Name(m)} [{off}, +{len})");
                    if (Fallocate.TryPunchHole(Handle(i), off, len))
                    {
                        m.Zero(off, len);
                    }
                    else
                    {
                        Log("punch: EOPNOTSUPP, no more punches");
                        _punch = false;
                    }
                }

                break;
            case < 80: Rename(i, m); break;
            case < 84:
                Log($"fsync {Name(m)}");
                RandomAccess.FlushToDisk(Handle(i));
                break;
            case < 90:
                Log($"close/reopen {Name(m)}");
                Close(i);
                break;
            case < 95:
                {
                    long size = new FileInfo(m.Path).Length;
                    Log($"stat {Name(m)} = {size}");
                    Check(size == m.Length, $"stat {Name(m)}: size {size}, model {m.Length}");
                    break;
                }

            default:
                Log($"verify {Name(m)} ({m.Length} bytes)");
                Verify(i);
                break;
        }
    }

    private void Read(int i, ModelFile m)
    {
        int off = _rng.Next(Math.Max(1, m.Length + 4096));
        int len = _rng.Next(1, options.MaxIo + 1);
        Log($"read {Name(m)} [{off}, +{len}) size {m.Length}");
        var buffer = new byte[len];
        int total = 0;
        while (total < len)
        {
            int n = RandomAccess.Read(Handle(i), buffer.AsSpan(total), off + total);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        _bytesRead += total;
        int expected = Math.Max(0, Math.Min(len, m.Length - off));
        Check(total == expected, $"read {Name(m)} [{off}, +{len}): got {total} bytes, model has {expected}");
        Compare(m, off, buffer.AsSpan(0, total), "read");
    }

    private void Write(int i, ModelFile m, int off)
    {
        int len = _rng.Next(1, Math.Min(options.MaxIo, options.MaxSize - off) + 1);
        var data = new byte[len];
        _rng.NextBytes(data);
        Log($"write {Name(m)} [{off}, +{len}) size {m.Length}");
        RandomAccess.Write(Handle(i), data, off);
        m.Write(off, data);
        _bytesWritten += len;
    }

    private void Rename(int i, ModelFile m)
    {
        if (_rng.Next(2) == 0 || _models.Count == 1)
        {
            string to = Path.Combine(options.Directory, $"fsx.{options.Seed}.r{_nameCounter++}");
            Log($"rename {Name(m)} -> {Path.GetFileName(to)}");
            File.Move(m.Path, to);
            m.Path = to;
            return;
        }

        // Over another file: the target's name now holds this file; this slot starts a new empty file.
        int j = (i + 1 + _rng.Next(_models.Count - 1)) % _models.Count;
        var target = _models[j];
        Log($"rename {Name(m)} over {Name(target)}");
        Close(j);
        Close(i);
        File.Move(m.Path, target.Path, overwrite: true);
        target.ReplaceWith(m);
        m.Path = Path.Combine(options.Directory, $"fsx.{options.Seed}.n{_nameCounter++}");
        _handles[i] = File.OpenHandle(m.Path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
    }

    private void Verify(int i)
    {
        var m = _models[i];
        byte[] all = File.ReadAllBytes(m.Path);
        Check(all.Length == m.Length, $"verify {Name(m)}: file has {all.Length} bytes, model {m.Length}");
        Compare(m, 0, all, "verify");
    }

    private void Compare(ModelFile m, int off, ReadOnlySpan<byte> got, string what)
    {
        if (got.Length == 0)
        {
            return;
        }

        var want = m.Content.Slice(off, got.Length);
        int at = got.CommonPrefixLength(want);
        if (at < got.Length)
        {
            int from = Math.Max(0, at - 8);
            int to = Math.Min(got.Length, at + 24);
            throw new FsxMismatchException(
                $"{what} {Name(m)}: first bad byte at file offset {off + at} (0x{off + at:x})\n" +
                $"  got   [{off + from}..{off + to}): {Convert.ToHexString(got[from..to])}\n" +
                $"  model [{off + from}..{off + to}): {Convert.ToHexString(want[from..to])}");
        }
    }

    private void Check(bool ok, string message)
    {
        if (!ok)
        {
            throw new FsxMismatchException(message);
        }
    }

    private SafeFileHandle Handle(int i) =>
        _handles[i] ??= File.OpenHandle(_models[i].Path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);

    private void Close(int i)
    {
        _handles[i]?.Dispose();
        _handles[i] = null;
    }

    private static string Name(ModelFile m) => Path.GetFileName(m.Path);
}
