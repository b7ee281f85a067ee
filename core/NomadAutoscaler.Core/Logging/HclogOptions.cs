using Microsoft.Extensions.Logging;

namespace NomadAutoscaler.Core.Logging;

/// <summary>Settings of the agent's hclog-format logger (agent config <c>log_level</c>, <c>log_json</c>).</summary>
internal sealed record HclogOptions
{
    public LogLevel MinimumLevel { get; init; } = LogLevel.Information;

    public bool Json { get; init; }

    /// <summary><c>log_include_location</c>: each line names the code that logged it, as hclog's
    /// <c>IncludeLocation</c> does (<see cref="CallerLocation"/>).</summary>
    public bool IncludeLocation { get; init; }

    /// <summary>Text lines use local time like hclog; tests pin UTC.</summary>
    public bool UseUtc { get; init; }

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
