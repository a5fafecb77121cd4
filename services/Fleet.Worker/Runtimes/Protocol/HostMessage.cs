using Fleet.Worker.Runtimes.HostCalls;

namespace Fleet.Worker.Runtimes.Protocol;

/// <summary>A host request as it came, with its frame's size.</summary>
internal sealed record HostMessage(HostRequest Request, int Bytes) : ExecutorMessage(Request.Id);
