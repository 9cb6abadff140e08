using System.Text;

using Primitives.Filesystem.Posix;

namespace Primitives.Filesystem.Tests.Posix;

/// <summary>A <see cref="PosixFilesystem"/> over the in-memory stores, with helpers for names as strings.</summary>
internal sealed class PosixTestFilesystem
{
    public PosixTestFilesystem(PosixOptions? options = null, int blockSize = 4096, long capacity = 1L << 30)
    {
        Kv = new MemoryKeyValueStore();
        Data = new MemoryDataStore(capacity, blockSize);
        Options = options;
        Fs = PosixFilesystem.Open(Kv, Data, Data, options);
    }

    public MemoryKeyValueStore Kv { get; }

    public MemoryDataStore Data { get; }

    public PosixOptions? Options { get; }

    public PosixFilesystem Fs { get; private set; }

    public const ulong Root = Inode.RootIno;

    /// <summary>Opens the stores again as a fresh mount would.</summary>
    public void Remount() => Fs = PosixFilesystem.Open(Kv, Data, Data, Options);

    public static byte[] N(string name) => Encoding.UTF8.GetBytes(name);

    public Inode CreateFile(ulong dir, string name, uint mode = 0x1A4) => Fs.CreateNode(dir, N(name), FileTypeBits.Regular | mode, 0, 1000, 1000);

    public Inode Mkdir(ulong dir, string name) => Fs.MakeDirectory(dir, N(name), 0x1ED, 1000, 1000);

    public Inode Lookup(ulong dir, string name) => Fs.Lookup(dir, N(name));

    public List<string> List(ulong dir, int chunk = 1000)
    {
        var names = new List<string>();
        long offset = 0;
        while (true)
        {
            var entries = Fs.ReadDirectory(dir, offset, chunk);
            if (entries.Count == 0)
            {
                return names;
            }

            names.AddRange(entries.Select(e => Encoding.UTF8.GetString(e.Name)));
            offset = entries[^1].NextOffset;
        }
    }

    public byte[] ReadAll(ulong ino)
    {
        var inode = Fs.GetAttributes(ino);
        var buffer = new byte[inode.Size];
        int n = Fs.Read(ino, 0, buffer);
        Assert.Equal(buffer.Length, n);
        return buffer;
    }

    public static Errno ErrnoOf(Action action) => Assert.Throws<PosixException>(action).Errno;
}
