using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Hcl;

/// <summary>One problem found while parsing, decoding or evaluating HCL.</summary>
public sealed class HclDiagnostic
{
    public HclDiagnostic(HclSeverity severity, string summary, string detail, HclRange? subject)
    {
        Severity = severity;
        Summary = summary;
        Detail = detail;
        Subject = subject;
    }

    public HclSeverity Severity { get; }

    /// <summary>Short description, e.g. <c>Unsupported argument</c>.</summary>
    public string Summary { get; }

    /// <summary>Full sentence(s) explaining the problem; may be empty.</summary>
    public string Detail { get; }

    /// <summary>Where the problem is, when it has a location.</summary>
    public HclRange? Subject { get; }

    public static HclDiagnostic Error(HclRange? subject, string summary, string detail) =>
        new(HclSeverity.Error, summary, detail, subject);

    /// <summary>One line, <c>file.hcl:3,7-9: Summary; Detail</c>, as hcl's Error() renders it.</summary>
    public string Message
    {
        get
        {
            var text = Detail.Length == 0 ? Summary : Summary + "; " + Detail;
            return Subject is { } range ? range + ": " + text : text;
        }
    }

    /// <summary>The message followed by the source line and a caret line under the subject.</summary>
    public override string ToString()
    {
        var builder = new StringBuilder(Message);
        if (Subject is { Source: { } source } subject)
        {
            var line = source.LineAt(subject.Start.Byte);
            var prefix = string.Create(CultureInfo.InvariantCulture, $"  {subject.Start.Line} | ");
            builder.Append('\n').Append(prefix).Append(line).Append('\n');
            var caretStart = Math.Clamp(subject.Start.Column - 1, 0, line.Length);
            var caretLength = subject.End.Line == subject.Start.Line
                ? Math.Max(1, subject.End.Column - subject.Start.Column)
                : Math.Max(1, line.Length - caretStart);
            builder.Append(' ', prefix.Length);
            for (var i = 0; i < caretStart; i++)
            {
                // Tabs are kept so the caret lines up under tab-indented source.
                builder.Append(line[i] == '\t' ? '\t' : ' ');
            }

            builder.Append('^', caretLength);
        }

        return builder.ToString();
    }
}
