using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Logging;

/// <summary>The agent's <c>log_level</c> spellings, mapped to Microsoft.Extensions.Logging levels.</summary>
internal static class HclogLevel
{
    /// <summary>Parses <c>log_level</c> as upstream does: trimmed, case-insensitive; unknown text silently means info.</summary>
    public static LogLevel Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        "off" => LogLevel.None,
        _ => LogLevel.Information,
    };

    /// <summary>Parses an hclog level name (plugin JSON <c>@level</c>); null when it is not one of the five.</summary>
    public static LogLevel? FromHclogName(string text) => text.Trim().ToLowerInvariant() switch
    {
        "trace" => LogLevel.Trace,
        "debug" => LogLevel.Debug,
        "info" => LogLevel.Information,
        "warn" => LogLevel.Warning,
        "error" => LogLevel.Error,
        _ => null,
    };

    /// <summary>The bracketed token of text lines, padded to the width of <c>[ERROR]</c>.</summary>
    public static string Bracket(LogLevel level) => level switch
    {
        LogLevel.Trace => "[TRACE]",
        LogLevel.Debug => "[DEBUG]",
        LogLevel.Information => "[INFO] ",
        LogLevel.Warning => "[WARN] ",
        _ => "[ERROR]",
    };

    /// <summary>The <c>@level</c> value of JSON lines.</summary>
    public static string JsonName(LogLevel level) => level switch
    {
        LogLevel.Trace => "trace",
        LogLevel.Debug => "debug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        _ => "error",
    };
}
