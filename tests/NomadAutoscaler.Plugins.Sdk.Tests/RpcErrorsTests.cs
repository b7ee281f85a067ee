using Google.Rpc;
using Grpc.Core;
using NomadAutoscaler.Plugins.Sdk;
using NomadAutoscaler.Plugins.Sdk.Internal;
using NomadAutoscaler.Plugins.Sdk.Internal.Grpc;

namespace NomadAutoscaler.Plugins.Sdk.Tests;

public sealed class RpcErrorsTests
{
    [Fact]
    public void ToRpcException_ConfigException_IsInvalidArgumentWithOneFieldViolationPerKey()
    {
        var exception = new PluginConfigException([new ConfigViolation("address", "is required"), new ConfigViolation("retries", "is not a whole number")]);

        var rpc = RpcErrors.ToRpcException(exception);

        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        var badRequest = rpc.GetRpcStatus()?.GetDetail<BadRequest>();
        Assert.NotNull(badRequest);
        Assert.Equal(["address", "retries"], badRequest.FieldViolations.Select(v => v.Field));
        Assert.Equal("is required", badRequest.FieldViolations[0].Description);
    }

    [Fact]
    public void ToRpcException_NoOp_IsAborted()
        => Assert.Equal(StatusCode.Aborted, RpcErrors.ToRpcException(new ScalingNoOpException("nothing to do")).StatusCode);

    [Fact]
    public void ToRpcException_Cancelled_IsCancelled()
        => Assert.Equal(StatusCode.Cancelled, RpcErrors.ToRpcException(new TaskCanceledException()).StatusCode);

    [Fact]
    public void ToRpcException_NotConfigured_IsFailedPrecondition()
        => Assert.Equal(StatusCode.FailedPrecondition, RpcErrors.ToRpcException(new PluginNotConfiguredException("p")).StatusCode);

    [Fact]
    public void ToRpcException_Unexpected_IsInternalWithMessageOnly()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("boom");
        }
        catch (InvalidOperationException exception)
        {
            thrown = exception;
        }

        var rpc = RpcErrors.ToRpcException(thrown);

        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("boom", rpc.Status.Detail);
        Assert.DoesNotContain(rpc.Trailers, entry => entry.Value?.Contains("at ", StringComparison.Ordinal) == true);
    }

    [Fact]
    public void IsBug_RuntimeErrorsOfWrongCode_AreBugs()
    {
        Assert.True(RpcErrors.IsBug(new NullReferenceException()));
        Assert.True(RpcErrors.IsBug(new ArgumentOutOfRangeException("count")));
        Assert.True(RpcErrors.IsBug(new KeyNotFoundException()));
        Assert.True(RpcErrors.IsBug(new InvalidCastException()));
    }

    [Fact]
    public void IsBug_FailuresOfThePluginsWork_AreNot()
    {
        Assert.False(RpcErrors.IsBug(new InvalidOperationException("no nodes identified within pool")));
        Assert.False(RpcErrors.IsBug(new HttpRequestException("connection refused")));
        Assert.False(RpcErrors.IsBug(new TimeoutException()));
        Assert.False(RpcErrors.IsBug(new PluginConfigException([new ConfigViolation("max", "must be a number")])));
    }
}
