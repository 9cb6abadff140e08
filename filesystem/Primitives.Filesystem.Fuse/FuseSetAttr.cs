namespace Primitives.Filesystem.Fuse;

/// <summary>The <c>to_set</c> bits of the setattr callback (FUSE_SET_ATTR_*).</summary>
internal static class FuseSetAttr
{
    public const int Mode = 1 << 0;
    public const int Uid = 1 << 1;
    public const int Gid = 1 << 2;
    public const int Size = 1 << 3;
    public const int Atime = 1 << 4;
    public const int Mtime = 1 << 5;
    public const int AtimeNow = 1 << 7;
    public const int MtimeNow = 1 << 8;
}
