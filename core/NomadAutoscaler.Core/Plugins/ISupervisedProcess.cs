namespace NomadAutoscaler.Core.Plugins;

/// <summary>What <see cref="PluginSupervisor{T}"/> needs from a running plugin process.</summary>
internal interface ISupervisedProcess : IAsyncDisposable
{
    /// <summary>Completes when the process has exited.</summary>
    Task Exited { get; }

    int? ExitCode { get; }

    int ProcessId { get; }

    DateTimeOffset StartedAt { get; }

    /// <summary>True when the agent asked it to stop, so its exit is not a crash.</summary>
    bool StopRequested { get; }

    IReadOnlyList<string> LastStderrLines { get; }
}
