namespace Primitives.Statistics;

/// <summary>When <see cref="TimeStats"/> records through per-processor buffers.</summary>
internal enum BufferingPolicy
{
    /// <summary>Start direct, switch to buffers once events are frequent (the public behaviour).</summary>
    Automatic,

    /// <summary>Always the direct, locked path.</summary>
    Never,

    /// <summary>Buffered from the first event.</summary>
    Always,
}
