using Primitives.Filesystem.Devices;
using Spectre.Console;

namespace Primitives.Filesystem.Cli.Commands;

/// <summary>Runs a command's body and turns the errors a user can cause into a message and an exit code, never a stack trace.</summary>
internal static class CommandRunner
{
    public static async Task<int> RunAsync(IAnsiConsole console, Func<Task<int>> body)
    {
        try
        {
            return await body().ConfigureAwait(false);
        }
        catch (FilesystemException e)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return ExitCodes.FilesystemError;
        }
        catch (Exception e) when (e is ArgumentException or IOException or UnauthorizedAccessException or FormatException)
        {
            console.MarkupLineInterpolated($"[red]error:[/] {e.Message}");
            return e is ArgumentException or FormatException ? ExitCodes.Usage : ExitCodes.FilesystemError;
        }
        catch (OperationCanceledException)
        {
            console.MarkupLine("[yellow]cancelled[/]");
            return ExitCodes.FilesystemError;
        }
    }

    /// <summary>Opens an image file or a block device read-write (exclusively, O_DIRECT where possible).</summary>
    public static FileBlockDevice OpenDevice(string path, bool readOnly = false)
    {
        if (!File.Exists(path) && !path.StartsWith("/dev/", StringComparison.Ordinal))
        {
            throw new FileNotFoundException($"{path}: no such image file or device (create an image with `fs format {path} --size 256M`)", path);
        }

        return FileBlockDevice.Open(path, new FileBlockDeviceOptions { ReadOnly = readOnly });
    }

    /// <summary>Parses a size such as 4096, 64K, 256M or 2G.</summary>
    public static long ParseSize(string text)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        text = text.Trim();
        long multiplier = char.ToUpperInvariant(text[^1]) switch
        {
            'K' => 1L << 10,
            'M' => 1L << 20,
            'G' => 1L << 30,
            'T' => 1L << 40,
            _ => 1,
        };
        string digits = multiplier == 1 ? text : text[..^1];
        if (!long.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long value) || value <= 0)
        {
            throw new FormatException($"'{text}' is not a size (examples: 4096, 64K, 256M, 2G)");
        }

        return checked(value * multiplier);
    }
}
