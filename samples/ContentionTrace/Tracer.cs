using System.Diagnostics;
using System.Diagnostics.Tracing;
using System.Text.Json;

using Microsoft.Diagnostics.NETCore.Client;

namespace ContentionTrace;

/// <summary>
/// Runs an EventPipe session (Primitives-SixLock, and the runtime provider with the Contention
/// keyword) against a process: the built-in workload in a child process, or an existing one by pid.
/// The stream is saved to a .nettrace file and analyzed once the session has stopped, so no event
/// is lost between the session's start and its stop.
/// </summary>
internal static class Tracer
{
    public const string SixLockProvider = "Primitives-SixLock";
    public const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    public const long ContentionKeyword = 0x4000;

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    public static IReadOnlyList<EventPipeProvider> Providers =>
    [
        new EventPipeProvider(SixLockProvider, EventLevel.Informational),
        new EventPipeProvider(RuntimeProvider, EventLevel.Informational, ContentionKeyword),
    ];

    /// <summary>Starts this program with <c>--workload --handshake</c>, traces it from before its first lock to after its last.</summary>
    public static async Task<ContentionReport> RunWorkloadAsync(Options options)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        string self = typeof(Tracer).Assembly.Location;
        string host = Environment.ProcessPath ?? "dotnet";
        if (Path.GetFileNameWithoutExtension(host).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.FileName = host;
            start.ArgumentList.Add(self);
        }
        else
        {
            start.FileName = host; // the apphost of this program
        }

        foreach (string a in new[] { "--workload", "--handshake", "--iterations", options.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture), "--hold-ms", options.HoldMilliseconds.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start) ?? throw new InvalidOperationException("could not start the workload");
        try
        {
            await ExpectLineAsync(child, "ready");
            var client = new DiagnosticsClient(child.Id);
            using var session = client.StartEventPipeSession(Providers, requestRundown: true, circularBufferMB: 256);
            string path = options.KeepTrace ?? Path.Combine(Path.GetTempPath(), $"contention-trace-{child.Id}-{Guid.NewGuid():N}.nettrace");
            var sw = Stopwatch.StartNew();
            Task copy = CopyAsync(session, path);
            await child.StandardInput.WriteLineAsync("go");
            await child.StandardInput.FlushAsync();
            string expectedLine = await ExpectLineAsync(child, "expected ");
            var expected = JsonSerializer.Deserialize<WorkloadResult>(expectedLine["expected ".Length..], JsonDefaults.Options)
                ?? throw new InvalidOperationException("the workload printed no result");
            await session.StopAsync(CancellationToken.None);
            await copy.WaitAsync(Patience);
            var traced = sw.Elapsed;
            await child.StandardInput.WriteLineAsync("quit");
            await child.StandardInput.FlushAsync();
            await child.WaitForExitAsync().WaitAsync(Patience);
            try
            {
                return TraceAnalyzer.Analyze(path, child.Id, "workload", traced, expected);
            }
            finally
            {
                if (options.KeepTrace is null)
                {
                    File.Delete(path);
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }
    }

    /// <summary>Traces an existing process for <see cref="Options.Duration"/>.</summary>
    public static async Task<ContentionReport> AttachAsync(int pid, Options options)
    {
        var client = new DiagnosticsClient(pid);
        string path = options.KeepTrace ?? Path.Combine(Path.GetTempPath(), $"contention-trace-{pid}-{Guid.NewGuid():N}.nettrace");
        using var session = client.StartEventPipeSession(Providers, requestRundown: true, circularBufferMB: 256);
        var sw = Stopwatch.StartNew();
        Task copy = CopyAsync(session, path);
        await Task.Delay(options.Duration);
        await session.StopAsync(CancellationToken.None);
        await copy.WaitAsync(Patience);
        try
        {
            return TraceAnalyzer.Analyze(path, pid, "attach", sw.Elapsed, expected: null);
        }
        finally
        {
            if (options.KeepTrace is null)
            {
                File.Delete(path);
            }
        }
    }

    private static async Task CopyAsync(EventPipeSession session, string path)
    {
        await using var file = File.Create(path);
        await session.EventStream.CopyToAsync(file);
    }

    private static async Task<string> ExpectLineAsync(Process child, string prefix)
    {
        while (true)
        {
            string? line = await child.StandardOutput.ReadLineAsync().WaitAsync(Patience)
                ?? throw new InvalidOperationException($"the workload exited (code {(child.HasExited ? child.ExitCode : -1)}) before printing '{prefix}'");
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line;
            }

            Console.Error.WriteLine("workload: " + line);
        }
    }
}
