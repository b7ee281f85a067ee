using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Grpc.Core;

namespace NomadAutoscaler.Plugins.Sdk.Internal.Grpc.Server;

/// <summary>gRPC's length-prefixed messages on an HTTP/2 body: one flag byte (compressed or not), a big-endian
/// 32-bit length, then the protobuf payload.</summary>
internal static class GrpcFraming
{
    private const int HeaderLength = 5;

    /// <summary>The largest message accepted from the host; the same default as grpc-go and grpc-dotnet servers.</summary>
    public const int MaxReceiveMessageLength = 4 * 1024 * 1024;

    /// <summary>Reads the next message, or returns null when the host has ended its side of the stream.</summary>
    public static async ValueTask<T?> ReadMessageAsync<T>(PipeReader reader, Marshaller<T> marshaller, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken);
            var buffer = result.Buffer;
            if (TryReadFrame(buffer, out var payload, out var compressed, out var frameEnd))
            {
                T message;
                try
                {
                    if (compressed)
                        throw new RpcException(new Status(StatusCode.Unimplemented, "compressed messages are not supported; send them uncompressed (grpc-encoding identity)"));
                    message = marshaller.ContextualDeserializer(new PayloadDeserializationContext(payload));
                }
                catch (Exception exception) when (exception is not RpcException)
                {
                    throw new RpcException(new Status(StatusCode.Internal, "the request message could not be parsed: " + exception.Message));
                }
                finally
                {
                    reader.AdvanceTo(frameEnd);
                }

                return message;
            }

            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (buffer.Length == 0) return null;
                throw new RpcException(new Status(StatusCode.Internal, "the request stream ended inside a message"));
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool TryReadFrame(ReadOnlySequence<byte> buffer, out ReadOnlySequence<byte> payload, out bool compressed, out SequencePosition frameEnd)
    {
        payload = default;
        compressed = false;
        frameEnd = buffer.Start;
        if (buffer.Length < HeaderLength) return false;

        Span<byte> header = stackalloc byte[HeaderLength];
        buffer.Slice(0, HeaderLength).CopyTo(header);
        compressed = header[0] != 0;
        var length = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        if (length > MaxReceiveMessageLength)
            throw new RpcException(new Status(StatusCode.ResourceExhausted, $"received message larger than max ({length} vs. {MaxReceiveMessageLength})"));
        if (buffer.Length < HeaderLength + length) return false;

        payload = buffer.Slice(HeaderLength, length);
        frameEnd = payload.End;
        return true;
    }

    /// <summary>Writes one message into <paramref name="writer"/> without flushing it.</summary>
    public static void WriteMessage<T>(PipeWriter writer, Marshaller<T> marshaller, T message)
    {
        var context = new FramingSerializationContext(writer);
        marshaller.ContextualSerializer(message, context);
        context.EnsureCompleted();
    }

    private sealed class PayloadDeserializationContext(ReadOnlySequence<byte> payload) : DeserializationContext
    {
        public override int PayloadLength => (int)payload.Length;

        public override byte[] PayloadAsNewBuffer() => payload.ToArray();

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => payload;
    }

    /// <summary>Protobuf's generated marshallers announce the size first, so the header goes straight into the pipe
    /// and the message is serialised after it without a copy.</summary>
    private sealed class FramingSerializationContext(PipeWriter writer) : SerializationContext
    {
        private bool _headerWritten;
        private ArrayBufferWriter<byte>? _unsized;
        private bool _completed;

        public override void SetPayloadLength(int payloadLength)
        {
            WriteHeader(payloadLength);
        }

        public override IBufferWriter<byte> GetBufferWriter()
            => _headerWritten ? writer : _unsized ??= new ArrayBufferWriter<byte>();

        public override void Complete(byte[] payload)
        {
            WriteHeader(payload.Length);
            writer.Write(payload);
            _completed = true;
        }

        public override void Complete()
        {
            if (_unsized is not null)
            {
                WriteHeader(_unsized.WrittenCount);
                writer.Write(_unsized.WrittenSpan);
            }

            _completed = true;
        }

        public void EnsureCompleted()
        {
            if (!_completed) throw new InvalidOperationException("the message serializer did not complete the message");
        }

        private void WriteHeader(int length)
        {
            if (_headerWritten) throw new InvalidOperationException("the message length was set twice");
            var header = writer.GetSpan(HeaderLength);
            header[0] = 0;
            BinaryPrimitives.WriteUInt32BigEndian(header[1..], (uint)length);
            writer.Advance(HeaderLength);
            _headerWritten = true;
        }
    }
}
