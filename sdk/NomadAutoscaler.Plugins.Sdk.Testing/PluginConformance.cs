using NomadAutoscaler.Plugins.Sdk.Testing.Internal;

namespace NomadAutoscaler.Plugins.Sdk.Testing;

/// <summary>Checks a plugin executable, written in any language, against every plugin-side rule of the
/// nomad-autoscaler go-plugin protocol. Framework-neutral: call it from any test framework and assert on the report.</summary>
public static class PluginConformance
{
    /// <summary>Launches the plugin several times (missing cookie, wrong cookie, a full session, multiplex request,
    /// TCP opt-in, AutoMTLS) and reports every check. Never throws for plugin misbehaviour; see
    /// <see cref="ConformanceReport.ThrowIfFailed"/>.</summary>
    /// <param name="executablePath">The plugin executable. Its file name (without <c>.exe</c>) is the expected plugin name.</param>
    /// <param name="kind">The kind the plugin must report.</param>
    /// <param name="sampleConfig">A configuration the plugin accepts in SetConfig.</param>
    /// <param name="cancellationToken">Cancels the run; running plugin processes are killed.</param>
    public static Task<ConformanceReport> RunAsync(
        string executablePath, PluginKind kind, IReadOnlyDictionary<string, string> sampleConfig, CancellationToken cancellationToken)
        => RunAsync(executablePath, kind, sampleConfig, new ConformanceOptions(), cancellationToken);

    /// <inheritdoc cref="RunAsync(string, PluginKind, IReadOnlyDictionary{string, string}, CancellationToken)"/>
    /// <param name="executablePath">The plugin executable. Its file name (without <c>.exe</c>) is the expected plugin name.</param>
    /// <param name="kind">The kind the plugin must report.</param>
    /// <param name="sampleConfig">A configuration the plugin accepts in SetConfig.</param>
    /// <param name="options">Timeouts and arguments.</param>
    /// <param name="cancellationToken">Cancels the run; running plugin processes are killed.</param>
    public static Task<ConformanceReport> RunAsync(
        string executablePath, PluginKind kind, IReadOnlyDictionary<string, string> sampleConfig, ConformanceOptions options,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(executablePath);
        ArgumentNullException.ThrowIfNull(sampleConfig);
        ArgumentNullException.ThrowIfNull(options);
        if (!File.Exists(executablePath))
            throw new FileNotFoundException($"plugin executable not found: {executablePath}", executablePath);
        return new ConformanceRun(Path.GetFullPath(executablePath), kind, sampleConfig, options).RunAsync(cancellationToken);
    }
}
