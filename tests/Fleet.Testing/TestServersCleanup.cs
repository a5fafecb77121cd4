namespace Fleet.Testing;

/// <summary>
/// An assembly fixture for each test project that uses <see cref="TestServers"/>:
/// <c>[assembly: AssemblyFixture(typeof(TestServersCleanup))]</c> removes its containers once its last test has run, pass or fail.
/// </summary>
public sealed class TestServersCleanup : IAsyncDisposable
{
    public async ValueTask DisposeAsync() => await TestServers.RemoveContainersAsync();
}
