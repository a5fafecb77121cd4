using System.Text;
using System.Text.Json;
using Fleet.Contracts;
using RuntimeNames = Fleet.Contracts.Runtimes;
using Fleet.Worker.Runtimes.Containers;

namespace Fleet.Worker.Tests;

/// <summary>What the worker sends a custom image's executor and how it reads the reply, and the container it asks the engine for.</summary>
public sealed class CustomExecutorWireTests
{
    [Fact]
    public void The_request_has_upstreams_keys_no_command_and_the_params_as_given()
    {
        var body = Encoding.UTF8.GetString(ExecutorWire.Request("""{"n": 17}""", "", returnOutput: true));

        Assert.Equal("""{"Command":null,"Params":{"n": 17},"Handler":"","HandlerDir":"","ReturnOutput":true}""", body);
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData(null)]
    public void Missing_params_are_the_empty_object(string? parameters)
    {
        using var body = JsonDocument.Parse(ExecutorWire.Request(parameters, "h", returnOutput: false));

        Assert.Equal("{}", body.RootElement.GetProperty("Params").GetRawText());
        Assert.Equal("h", body.RootElement.GetProperty("Handler").GetString());
    }

    [Fact]
    public void Params_that_are_not_json_are_refused() =>
        Assert.ThrowsAny<JsonException>(() => ExecutorWire.Request("{not json", "", returnOutput: false));

    [Fact]
    public void The_reply_is_read_case_insensitively_and_its_result_kept_as_raw_text()
    {
        var reply = ExecutorWire.Reply("""{"success":true,"RESULT":"42\n","Output":"hi","Extra":1}"""u8);

        Assert.Equal(new ExecutorResult(true, "42\n", "hi"), reply);
    }

    [Theory]
    [InlineData("""{"Result":"1"}""")]
    [InlineData("[]")]
    [InlineData("not json")]
    [InlineData("""{"Success":"yes"}""")]
    public void A_reply_without_a_success_flag_is_malformed(string body) =>
        Assert.Null(ExecutorWire.Reply(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void The_container_has_no_network_and_the_functions_limits()
    {
        var function = new FunctionSpec
        {
            Namespace = FunctionNamespaces.Serverledge, Name = "f", Runtime = RuntimeNames.Custom, Handler = "", MemoryMB = 256, CpuDemand = 1.5,
            TimeoutSeconds = 5, PackageHash = "", Generation = "g", CustomImage = "example/image:1",
        };

        var parameters = ContainerInstance.Parameters("i-1", function, "worker-a", maxProcesses: 64);

        Assert.Equal("example/image:1", parameters.Image);
        Assert.True(parameters.NetworkDisabled);
        Assert.Equal("none", parameters.HostConfig.NetworkMode);
        Assert.Equal(256L << 20, parameters.HostConfig.Memory);
        Assert.Equal(256L << 20, parameters.HostConfig.MemorySwap);
        Assert.Equal(1_500_000_000, parameters.HostConfig.NanoCPUs);
        Assert.Equal(64, parameters.HostConfig.PidsLimit);
        Assert.Equal(["ALL"], parameters.HostConfig.CapDrop);
        Assert.Equal("worker-a", parameters.Labels[ContainerEngine.WorkerLabel]);
        Assert.Equal("i-1", parameters.Labels[ContainerEngine.InstanceLabel]);
    }
}
