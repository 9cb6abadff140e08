namespace Primitives.Filesystem.Journaling;

/// <summary>The journal has been shut down (or failed): it accepts no more reservations or flushes.</summary>
public sealed class JournalShutdownException : FilesystemException
{
    /// <summary>Creates the exception with a message.</summary>
    public JournalShutdownException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the error that stopped the journal.</summary>
    public JournalShutdownException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
