using Primitives.Filesystem.Data;
using Primitives.Filesystem.Fuse;
using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Tests.Fuse;

/// <summary>
/// An in-memory filesystem mounted through FUSE in this process on a fresh temporary directory;
/// registered in artifacts/cleanup.sh so a crashed test run leaves no mount behind.
/// </summary>
internal sealed class MountFixture : IDisposable
{
    private readonly string _cleanupLine;

    public MountFixture(Func<IDataStore, IDataStore>? wrapData = null)
    {
        NativeTools.RequireFuse();
        Path = Directory.CreateTempSubdirectory("primitives-fuse-test-").FullName;
        _cleanupLine = $"fusermount3 -u -z {Path} 2>/dev/null; rmdir {Path} 2>/dev/null";
        RegisterCleanup(_cleanupLine);
        Kv = new MemoryKeyValueStore();
        Data = new MemoryDataStore(256L << 20);
        Fs = PosixFilesystem.Open(Kv, wrapData?.Invoke(Data) ?? Data, Data);
        Mount = FuseMount.Mount(Fs, Path, new FuseMountOptions { Source = "primitives-test" });
        Mount.Start();
    }

    public string Path { get; }

    public MemoryKeyValueStore Kv { get; }

    public MemoryDataStore Data { get; }

    public PosixFilesystem Fs { get; }

    public FuseMount Mount { get; }

    public bool IsMounted() => File.ReadLines("/proc/self/mountinfo").Any(l => l.Split(' ')[4] == Path);

    /// <summary>Runs <paramref name="body"/> with a time limit: a hung filesystem fails the test instead of hanging the run.</summary>
    public void RunBounded(Action body)
    {
        var work = Task.Run(body);
        if (!work.Wait(TimeSpan.FromSeconds(120)))
        {
            Mount.Abort();
            Assert.Fail("file operations on the FUSE mount did not finish in 120 s");
        }

        work.GetAwaiter().GetResult();
    }

    public void Dispose()
    {
        Mount.Dispose();
        try
        {
            Directory.Delete(Path);
        }
        catch (IOException)
        {
            // Left for cleanup.sh.
        }
    }

    private static void RegisterCleanup(string line)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "Primitives.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            return; // not inside the repository: nothing to register with
        }

        string artifacts = System.IO.Path.Combine(dir.FullName, "artifacts");
        Directory.CreateDirectory(artifacts);
        File.AppendAllText(System.IO.Path.Combine(artifacts, "cleanup.sh"), line + "\n");
    }
}
