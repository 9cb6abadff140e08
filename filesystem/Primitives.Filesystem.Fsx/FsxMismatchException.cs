namespace Primitives.Filesystem.Fsx;

/// <summary>The filesystem returned something the model says it should not have.</summary>
internal sealed class FsxMismatchException(string message) : Exception(message);
