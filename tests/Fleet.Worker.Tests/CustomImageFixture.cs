using Fleet.EndToEnd.Tests.Infrastructure;

namespace Fleet.Worker.Tests;

/// <summary>The tests' own custom image (<see cref="CustomImage"/>), built once for a class and removed after it.</summary>
public sealed class CustomImageFixture : IAsyncLifetime
{
    internal CustomImage Image { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Image = await CustomImage.BuildAsync();

    public async ValueTask DisposeAsync()
    {
        if (Image is not null)
        {
            await Image.DisposeAsync();
        }
    }
}
