using System.Globalization;
using System.Text;

namespace NomadAutoscaler.Hcl;

/// <summary>Writes values as JSON the way cty's json package (and so jsonencode) does, including Go's HTML-safe escaping.</summary>
internal static class HclJsonWriter
{
    public static void Write(StringBuilder builder, HclValue value)
    {
        switch (value.Kind)
        {
            case HclValueKind.Null:
                builder.Append("null");
                break;
            case HclValueKind.Bool:
                builder.Append(value.AsBool() ? "true" : "false");
                break;
            case HclValueKind.Number:
                builder.Append(value.AsNumberText());
                break;
            case HclValueKind.String:
                WriteString(builder, value.AsString());
                break;
            case HclValueKind.Tuple:
                builder.Append('[');
                var first = true;
                foreach (var item in value.AsTuple())
                {
                    if (!first)
                    {
                        builder.Append(',');
                    }

                    first = false;
                    Write(builder, item);
                }

                builder.Append(']');
                break;
            default:
                builder.Append('{');
                var firstAttribute = true;
                foreach (var (key, item) in value.AsObject())
                {
                    if (!firstAttribute)
                    {
                        builder.Append(',');
                    }

                    firstAttribute = false;
                    WriteString(builder, key);
                    builder.Append(':');
                    Write(builder, item);
                }

                builder.Append('}');
                break;
        }
    }

    public static void WriteString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    builder.Append("\\\"");
                    break;
                case '\\':
                    builder.Append("\\\\");
                    break;
                case '\n':
                    builder.Append("\\n");
                    break;
                case '\r':
                    builder.Append("\\r");
                    break;
                case '\t':
                    builder.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }
}
