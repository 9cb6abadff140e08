namespace Primitives.Filesystem.Tests.Devices;

/// <summary>A sparse image file in a fresh temporary directory, deleted with the directory on dispose.</summary>
internal sealed class TempImage : IDisposable
{
    public TempImage(long size, string name = "fs.img")
    {
        Directory = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "primfs-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(Directory);
        Path = System.IO.Path.Combine(Directory, name);
        using (var stream = new FileStream(Path, FileMode.CreateNew, FileAccess.Write))
        {
            stream.SetLength(size); // sparse
        }
    }

    public string Directory { get; }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
