using System.Text;
using NomadAutoscaler.Hcl.Json;
using NomadAutoscaler.Hcl.Native;

namespace NomadAutoscaler.Hcl;

/// <summary>Entry points: parse HCL native syntax or HCL JSON syntax into a body plus diagnostics. Never throws on bad input.</summary>
public static class HclParser
{
    /// <summary>Parses native syntax (<c>.hcl</c>).</summary>
    public static HclFile Parse(string text, string fileName) => Parse(Encoding.UTF8.GetBytes(text), fileName);

    public static HclFile Parse(byte[] utf8, string fileName) => NativeParser.ParseFile(utf8, fileName);

    /// <summary>Parses JSON syntax (<c>.json</c>); the body needs a schema to tell blocks from attributes.</summary>
    public static HclFile ParseJson(string text, string fileName) => ParseJson(Encoding.UTF8.GetBytes(text), fileName);

    public static HclFile ParseJson(byte[] utf8, string fileName) => JsonParser.ParseFile(utf8, fileName);

    /// <summary>Reads and parses a file, choosing JSON syntax for a <c>.json</c> extension and native syntax otherwise.</summary>
    public static HclFile ParseFile(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ParseJson(bytes, path) : Parse(bytes, path);
    }

    /// <summary>Parses a standalone native-syntax expression (for values given on a command line, for example).</summary>
    public static HclExpression ParseExpression(string text, string fileName, HclDiagnostics diagnostics) =>
        NativeParser.ParseExpression(Encoding.UTF8.GetBytes(text), fileName, diagnostics);

    /// <summary>Parses a standalone template (the inside of a quoted string without the quotes).</summary>
    public static HclExpression ParseTemplate(string text, string fileName, HclDiagnostics diagnostics) =>
        NativeParser.ParseTemplate(Encoding.UTF8.GetBytes(text), fileName, diagnostics);
}
