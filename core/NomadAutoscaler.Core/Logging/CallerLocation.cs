using System.Diagnostics;
using System.Globalization;
using System.Reflection;

namespace NomadAutoscaler.Core.Logging;

/// <summary>Where a log line was written from, for <c>log_include_location</c>.</summary>
/// <param name="Full">The source file and line (hclog's JSON <c>@caller</c>), or the method when the build carries
/// no symbols.</param>
/// <param name="Short">The last two path segments and the line, as hclog trims the caller in text lines.</param>
internal sealed record CallerLocation(string Full, string Short)
{
    private static readonly string LoggingNamespace = typeof(CallerLocation).Namespace!;

    // The agent logs through the SDK's Hclog extension methods, which are one frame above the logger.
    private static readonly string SdkLoggingNamespace = typeof(NomadAutoscaler.Plugins.Sdk.Logging.HclogLoggerExtensions).Namespace!;

    /// <summary>The first frame on the current stack outside the logging machinery (this namespace, the SDK's
    /// logging namespace and Microsoft.Extensions.Logging), or null when there is none.</summary>
    public static CallerLocation? Find()
    {
        foreach (var frame in new StackTrace(1, fNeedFileInfo: true).GetFrames())
        {
            var method = frame.GetMethod();
            var type = method?.DeclaringType;
            if (method is null || type is null) continue;
            var ns = type.Namespace ?? "";
            if (ns == LoggingNamespace || ns == SdkLoggingNamespace || ns.StartsWith("Microsoft.Extensions.Logging", StringComparison.Ordinal)) continue;
            return FromFrame(frame.GetFileName(), frame.GetFileLineNumber(), method);
        }

        return null;
    }

    internal static CallerLocation FromFrame(string? file, int line, MethodBase method)
    {
        if (string.IsNullOrEmpty(file) || line <= 0)
        {
            // Without a .pdb beside the agent (the release archive ships none) the method is the most there is.
            var name = MethodName(method);
            return new CallerLocation(name, name);
        }

        var lineText = line.ToString(CultureInfo.InvariantCulture);
        var normalized = file.Replace('\\', '/');
        var last = normalized.LastIndexOf('/');
        var previous = last > 0 ? normalized.LastIndexOf('/', last - 1) : -1;
        return new CallerLocation($"{file}:{lineText}", $"{normalized[(previous + 1)..]}:{lineText}");
    }

    /// <summary><c>Namespace.Type.Method</c>, seen through the compiler's classes for async methods, iterators and
    /// lambdas (<c>&lt;RunAsync&gt;d__3.MoveNext</c> is <c>RunAsync</c> of the enclosing type).</summary>
    internal static string MethodName(MethodBase method)
    {
        var name = method.Name;
        var type = method.DeclaringType;
        while (type is not null && type.Name.StartsWith('<'))
        {
            if (Generated(type.Name) is { } outer) name = outer;
            type = type.DeclaringType;
        }

        if (Generated(name) is { } inner) name = inner;
        return type is null ? name : $"{type.FullName}.{name}";
    }

    private static string? Generated(string name)
    {
        var close = name.IndexOf('>', StringComparison.Ordinal);
        return name.StartsWith('<') && close > 1 ? name[1..close] : null;
    }
}
