namespace Primitives.Filesystem.Cli;

/// <summary>The exit codes of <c>fs</c> (fsck's follow e2fsck's spirit: 0 clean, 1 problems repaired, 4 problems left).</summary>
public static class ExitCodes
{
    /// <summary>Success; fsck: no problem.</summary>
    public const int Ok = 0;

    /// <summary>fsck: problems were found and repaired.</summary>
    public const int Repaired = 1;

    /// <summary>Bad command line or arguments.</summary>
    public const int Usage = 2;

    /// <summary>A filesystem or device error (the message says which).</summary>
    public const int FilesystemError = 3;

    /// <summary>fsck: problems left unrepaired; demo/bench: verification failed.</summary>
    public const int Problems = 4;
}
