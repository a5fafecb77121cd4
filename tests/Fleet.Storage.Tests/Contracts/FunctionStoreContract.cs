using Fleet.Storage.Functions;
using static Fleet.Storage.Tests.Contracts.StoreTestData;

namespace Fleet.Storage.Tests.Contracts;

/// <summary>What every <see cref="IFunctionStore"/> must do. Each test uses names of its own; none reads another's data.</summary>
public abstract class FunctionStoreContract(IStoreFixture fixture)
{
    private IFunctionStore Functions => fixture.Store.Functions;

    [Fact]
    public async Task Create_then_get_round_trips_the_spec_exactly()
    {
        var spec = Spec(Unique("fn"));

        Assert.True(await Functions.TryCreateAsync(spec, Ct));
        var stored = await Functions.GetAsync(spec.Namespace, spec.Name, Ct);

        Assert.Equal(spec, stored);
        Assert.Equal(spec.CreatedAt.Offset, stored!.CreatedAt.Offset);
        Assert.Equal(spec.CreatedAt.Ticks, stored.CreatedAt.Ticks);
    }

    [Fact]
    public async Task Spec_without_a_creation_time_round_trips()
    {
        var spec = Spec(Unique("fn")) with { CreatedAt = default };

        Assert.True(await Functions.TryCreateAsync(spec, Ct));

        Assert.Equal(spec, await Functions.GetAsync(spec.Namespace, spec.Name, Ct));
    }

    [Fact]
    public async Task Get_unknown_function_is_null() =>
        Assert.Null(await Functions.GetAsync("serverledge", Unique("missing"), Ct));

    [Fact]
    public async Task Duplicate_create_returns_false_and_keeps_the_first()
    {
        var first = Spec(Unique("fn"));
        var second = first with { Generation = "other", MemoryMB = 1024 };

        Assert.True(await Functions.TryCreateAsync(first, Ct));
        Assert.False(await Functions.TryCreateAsync(second, Ct));

        Assert.Equal(first, await Functions.GetAsync(first.Namespace, first.Name, Ct));
    }

    [Fact]
    public async Task Namespaces_keep_functions_of_the_same_name_apart()
    {
        var name = Unique("fn");
        var mine = Spec(name, Unique("ns"));
        var theirs = Spec(name, Unique("ns")) with { Handler = "other.handler" };

        Assert.True(await Functions.TryCreateAsync(mine, Ct));
        Assert.True(await Functions.TryCreateAsync(theirs, Ct));

        Assert.Equal(mine, await Functions.GetAsync(mine.Namespace, name, Ct));
        Assert.Equal(theirs, await Functions.GetAsync(theirs.Namespace, name, Ct));
        Assert.Equal([name], await Functions.ListNamesAsync(mine.Namespace, Ct));
        Assert.Null(await Functions.GetAsync(Unique("ns"), name, Ct));

        Assert.Equal(mine, await Functions.DeleteAsync(mine.Namespace, name, Ct));
        Assert.Null(await Functions.GetAsync(mine.Namespace, name, Ct));
        Assert.Empty(await Functions.ListNamesAsync(mine.Namespace, Ct));
        Assert.Equal(theirs, await Functions.GetAsync(theirs.Namespace, name, Ct));
    }

    [Fact]
    public async Task List_returns_a_namespaces_names_in_ordinal_order()
    {
        var space = Unique("list");
        // U+E000 sorts before an astral character by code point (the databases' byte order) but after it in UTF-16.
        string[] names = ["b", "B", "a-1", "a_1", "a", "é", "\uE000", "😀", "Z"];
        foreach (var name in names.Reverse())
        {
            Assert.True(await Functions.TryCreateAsync(Spec(name, space), Ct));
        }

        Assert.Equal(names.Order(StringComparer.Ordinal), await Functions.ListNamesAsync(space, Ct));
    }

    [Fact]
    public async Task Delete_returns_the_spec_and_removes_it()
    {
        var spec = Spec(Unique("fn"));
        await Functions.TryCreateAsync(spec, Ct);

        Assert.Equal(spec, await Functions.DeleteAsync(spec.Namespace, spec.Name, Ct));

        Assert.Null(await Functions.GetAsync(spec.Namespace, spec.Name, Ct));
        Assert.DoesNotContain(spec.Name, await Functions.ListNamesAsync(spec.Namespace, Ct));
        Assert.Null(await Functions.DeleteAsync(spec.Namespace, spec.Name, Ct));
    }

    [Fact]
    public async Task Delete_unknown_returns_null() =>
        Assert.Null(await Functions.DeleteAsync("serverledge", Unique("missing"), Ct));

    [Fact]
    public async Task Recreate_after_delete_stores_the_new_spec()
    {
        var old = Spec(Unique("fn"));
        var renewed = old with { Generation = Guid.NewGuid().ToString("N"), Handler = "main.other" };
        await Functions.TryCreateAsync(old, Ct);
        await Functions.DeleteAsync(old.Namespace, old.Name, Ct);

        Assert.True(await Functions.TryCreateAsync(renewed, Ct));

        Assert.Equal(renewed, await Functions.GetAsync(old.Namespace, old.Name, Ct));
    }

    [Theory]
    [InlineData("o'brien\"; DROP TABLE functions; --")]
    [InlineData("λ-ƒunction-😀")]
    [InlineData("percent%_under\\back")]
    [InlineData("$1 @name :name ?")]
    public async Task Names_and_namespaces_with_special_characters_are_plain_data(string raw)
    {
        var spec = Spec(raw + Unique(""), raw + Unique("ns"));

        Assert.True(await Functions.TryCreateAsync(spec, Ct));
        Assert.Equal(spec, await Functions.GetAsync(spec.Namespace, spec.Name, Ct));
        Assert.Equal([spec.Name], await Functions.ListNamesAsync(spec.Namespace, Ct));
        Assert.Equal(spec, await Functions.DeleteAsync(spec.Namespace, spec.Name, Ct));
        Assert.True(await fixture.Store.PingAsync(Ct));
    }
}
