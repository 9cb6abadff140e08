namespace Primitives.Filesystem.Fsx;

/// <summary>What one file should contain: its bytes, grown and cut exactly as the operations did.</summary>
internal sealed class ModelFile
{
    private byte[] _bytes = new byte[4096];

    public ModelFile(string path) => Path = path;

    public string Path { get; set; }

    public int Length { get; private set; }

    public ReadOnlySpan<byte> Content => _bytes.AsSpan(0, Length);

    public void Write(int offset, ReadOnlySpan<byte> data)
    {
        Grow(offset + data.Length);
        data.CopyTo(_bytes.AsSpan(offset));
    }

    public void Truncate(int length)
    {
        if (length < Length)
        {
            _bytes.AsSpan(length, Length - length).Clear();
        }

        Grow(length);
        Length = length;
    }

    public void Zero(int offset, int length)
    {
        if (offset < Length)
        {
            _bytes.AsSpan(offset, Math.Min(length, Length - offset)).Clear();
        }
    }

    public void ReplaceWith(ModelFile other)
    {
        _bytes = other._bytes;
        Length = other.Length;
        other._bytes = new byte[4096];
        other.Length = 0;
    }

    private void Grow(int length)
    {
        if (length > _bytes.Length)
        {
            Array.Resize(ref _bytes, Math.Max(length, _bytes.Length * 2));
        }

        Length = Math.Max(Length, length);
    }
}
