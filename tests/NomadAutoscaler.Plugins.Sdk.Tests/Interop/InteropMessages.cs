using Google.Protobuf;
using Grpc.Core;

namespace NomadAutoscaler.Plugins.Sdk.Tests.Interop;

// The subset of grpc.testing's messages.proto that the ported interop cases use, with the same field numbers, so the
// bytes on the wire are those an interop client sends. Hand-written on Google.Protobuf's coded streams because no
// test project compiles protos; fields the cases never set (auth, ORCA, grpclb) are skipped when read.

internal sealed class Empty
{
    public static readonly Marshaller<Empty> Marshaller = Marshallers.Create<Empty>(
        _ => [],
        bytes => Wire.Read(bytes, new Empty(), static (empty, _, input) =>
        {
            input.SkipLastField();
            return empty;
        }));
}

internal sealed class Payload
{
    public byte[] Body { get; init; } = [];

    public static Payload Zeros(int size) => new() { Body = new byte[size] };

    // type = 1 is the PayloadType enum, whose only value COMPRESSABLE is the default and so never written.
    public void WriteTo(CodedOutputStream output)
    {
        if (Body.Length > 0) Wire.WriteBytes(output, 2, Body);
    }

    public static Payload Read(ByteString bytes) => Wire.Read(bytes.ToByteArray(), new Payload(), static (message, field, input) =>
    {
        if (field == 2) return new Payload { Body = input.ReadBytes().ToByteArray() };
        input.SkipLastField();
        return message;
    });
}

internal sealed class EchoStatus
{
    public int Code { get; init; }

    public string Message { get; init; } = "";

    public void WriteTo(CodedOutputStream output)
    {
        if (Code != 0) Wire.WriteInt32(output, 1, Code);
        if (Message.Length > 0) Wire.WriteString(output, 2, Message);
    }

    public static EchoStatus Read(ByteString bytes) => Wire.Read(bytes.ToByteArray(), new EchoStatus(), static (message, field, input) =>
    {
        switch (field)
        {
            case 1: return new EchoStatus { Code = input.ReadInt32(), Message = message.Message };
            case 2: return new EchoStatus { Code = message.Code, Message = input.ReadString() };
            default: input.SkipLastField(); return message;
        }
    });

    public Status ToStatus() => new((StatusCode)Code, Message);
}

/// <summary>grpc.testing.BoolValue (field 1), which the interop protos use instead of the well-known wrapper.</summary>
internal static class BoolValue
{
    public static void Write(CodedOutputStream output, int field, bool value)
        => Wire.WriteMessage(output, field, inner =>
        {
            if (!value) return;
            inner.WriteTag(1, WireFormat.WireType.Varint);
            inner.WriteBool(true);
        });

    public static bool Read(ByteString bytes) => Wire.Read(bytes.ToByteArray(), false, static (value, field, input) =>
    {
        if (field == 1) return input.ReadBool();
        input.SkipLastField();
        return value;
    });
}

internal sealed class SimpleRequest
{
    public int ResponseSize { get; init; }

    public Payload? Payload { get; init; }

    public bool? ResponseCompressed { get; init; }

    public EchoStatus? ResponseStatus { get; init; }

    public bool? ExpectCompressed { get; init; }

    public static readonly Marshaller<SimpleRequest> Marshaller = Marshallers.Create<SimpleRequest>(
        request => Wire.Write(output =>
        {
            if (request.ResponseSize != 0) Wire.WriteInt32(output, 2, request.ResponseSize);
            if (request.Payload is { } payload) Wire.WriteMessage(output, 3, payload.WriteTo);
            if (request.ResponseCompressed is { } compressed) BoolValue.Write(output, 6, compressed);
            if (request.ResponseStatus is { } status) Wire.WriteMessage(output, 7, status.WriteTo);
            if (request.ExpectCompressed is { } expect) BoolValue.Write(output, 8, expect);
        }),
        bytes => Wire.Read(bytes, new SimpleRequest(), static (request, field, input) =>
        {
            switch (field)
            {
                case 2: return request.With(responseSize: input.ReadInt32());
                case 3: return request.With(payload: Payload.Read(input.ReadBytes()));
                case 6: return request.With(responseCompressed: BoolValue.Read(input.ReadBytes()));
                case 7: return request.With(responseStatus: EchoStatus.Read(input.ReadBytes()));
                case 8: return request.With(expectCompressed: BoolValue.Read(input.ReadBytes()));
                default: input.SkipLastField(); return request;
            }
        }));

    private SimpleRequest With(int? responseSize = null, Payload? payload = null, bool? responseCompressed = null, EchoStatus? responseStatus = null, bool? expectCompressed = null)
        => new()
        {
            ResponseSize = responseSize ?? ResponseSize,
            Payload = payload ?? Payload,
            ResponseCompressed = responseCompressed ?? ResponseCompressed,
            ResponseStatus = responseStatus ?? ResponseStatus,
            ExpectCompressed = expectCompressed ?? ExpectCompressed,
        };
}

internal sealed class SimpleResponse
{
    public Payload? Payload { get; init; }

    public static readonly Marshaller<SimpleResponse> Marshaller = Marshallers.Create<SimpleResponse>(
        response => Wire.Write(output =>
        {
            if (response.Payload is { } payload) Wire.WriteMessage(output, 1, payload.WriteTo);
        }),
        bytes => Wire.Read(bytes, new SimpleResponse(), static (response, field, input) =>
        {
            if (field == 1) return new SimpleResponse { Payload = Payload.Read(input.ReadBytes()) };
            input.SkipLastField();
            return response;
        }));
}

internal sealed class ResponseParameters
{
    public int Size { get; init; }

    public void WriteTo(CodedOutputStream output)
    {
        if (Size != 0) Wire.WriteInt32(output, 1, Size);
    }

    // interval_us (2) and compressed (3) are skipped: no ported case sets them.
    public static ResponseParameters Read(ByteString bytes) => Wire.Read(bytes.ToByteArray(), new ResponseParameters(), static (parameters, field, input) =>
    {
        if (field == 1) return new ResponseParameters { Size = input.ReadInt32() };
        input.SkipLastField();
        return parameters;
    });
}

internal sealed class StreamingOutputCallRequest
{
    public IReadOnlyList<ResponseParameters> ResponseParameters { get; init; } = [];

    public Payload? Payload { get; init; }

    public EchoStatus? ResponseStatus { get; init; }

    public static readonly Marshaller<StreamingOutputCallRequest> Marshaller = Marshallers.Create<StreamingOutputCallRequest>(
        request => Wire.Write(output =>
        {
            foreach (var parameters in request.ResponseParameters) Wire.WriteMessage(output, 2, parameters.WriteTo);
            if (request.Payload is { } payload) Wire.WriteMessage(output, 3, payload.WriteTo);
            if (request.ResponseStatus is { } status) Wire.WriteMessage(output, 7, status.WriteTo);
        }),
        bytes => Wire.Read(bytes, new StreamingOutputCallRequest(), static (request, field, input) =>
        {
            switch (field)
            {
                case 2:
                    return new StreamingOutputCallRequest
                    {
                        ResponseParameters = [.. request.ResponseParameters, Interop.ResponseParameters.Read(input.ReadBytes())],
                        Payload = request.Payload,
                        ResponseStatus = request.ResponseStatus,
                    };
                case 3:
                    return new StreamingOutputCallRequest { ResponseParameters = request.ResponseParameters, Payload = Payload.Read(input.ReadBytes()), ResponseStatus = request.ResponseStatus };
                case 7:
                    return new StreamingOutputCallRequest { ResponseParameters = request.ResponseParameters, Payload = request.Payload, ResponseStatus = EchoStatus.Read(input.ReadBytes()) };
                default:
                    input.SkipLastField();
                    return request;
            }
        }));
}

internal sealed class StreamingOutputCallResponse
{
    public Payload? Payload { get; init; }

    public static readonly Marshaller<StreamingOutputCallResponse> Marshaller = Marshallers.Create<StreamingOutputCallResponse>(
        response => Wire.Write(output =>
        {
            if (response.Payload is { } payload) Wire.WriteMessage(output, 1, payload.WriteTo);
        }),
        bytes => Wire.Read(bytes, new StreamingOutputCallResponse(), static (response, field, input) =>
        {
            if (field == 1) return new StreamingOutputCallResponse { Payload = Payload.Read(input.ReadBytes()) };
            input.SkipLastField();
            return response;
        }));
}

internal static class Wire
{
    public static byte[] Write(Action<CodedOutputStream> write)
    {
        using var buffer = new MemoryStream();
        using (var output = new CodedOutputStream(buffer, leaveOpen: true))
        {
            write(output);
        }

        return buffer.ToArray();
    }

    public static T Read<T>(byte[] bytes, T empty, Func<T, int, CodedInputStream, T> field)
    {
        var input = new CodedInputStream(bytes);
        var message = empty;
        uint tag;
        while ((tag = input.ReadTag()) != 0) message = field(message, WireFormat.GetTagFieldNumber(tag), input);
        return message;
    }

    public static void WriteInt32(CodedOutputStream output, int field, int value)
    {
        output.WriteTag(field, WireFormat.WireType.Varint);
        output.WriteInt32(value);
    }

    public static void WriteString(CodedOutputStream output, int field, string value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteString(value);
    }

    public static void WriteBytes(CodedOutputStream output, int field, byte[] value)
    {
        output.WriteTag(field, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(value));
    }

    public static void WriteMessage(CodedOutputStream output, int field, Action<CodedOutputStream> write)
        => WriteBytes(output, field, Write(write));
}
