namespace Primitives.Filesystem.Journaling;

/// <summary>A reservation was refused because the journal is frozen and <see cref="JournalOptions.ThrowWhenFrozen"/> is set.</summary>
public sealed class JournalFrozenException : FilesystemException
{
    /// <summary>Creates the exception with a message.</summary>
    public JournalFrozenException(string message)
        : base(message)
    {
    }
}
