using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Fleet.Core.Records;
using Fleet.EndToEnd.Tests.Infrastructure;
using Fleet.Gateway.Facades.Dcp;
using Fleet.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Fleet.Facades.Tests;

/// <summary>
/// The DCP facade's identity layer: EIP-55 addresses, v3 keystores written by standard libraries (Fixtures/dcp), and
/// the Authorization header (Basic keystore, Bearer API key over a real SQLite record store).
/// </summary>
public sealed class DcpIdentityTests(DcpIdentityTests.RecordStore store) : IClassFixture<DcpIdentityTests.RecordStore>
{
    private const string Password = "fleet-test";
    private const string ExpectedIdentity = "0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a";
    private const string ExpectedChecksummed = "0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A";
    private const int SmallScryptN = 1024;

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private static string Fixture(string name) =>
        File.ReadAllText(Path.Combine(RepoPaths.Root, "tests", "Fleet.Facades.Tests", "Fixtures", "dcp", name)).Trim();

    private static string SmallScrypt => Fixture("ethers-scrypt-n1024.json");

    private static string Pbkdf2 => Fixture("ethereumjs-wallet-pbkdf2-c4096.json");

    // ---- addresses ----

    [Theory]
    [InlineData("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed")]
    [InlineData("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359")]
    [InlineData("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB")]
    [InlineData("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb")]
    public void The_EIP_55_vectors_checksum_as_the_EIP_writes_them(string vector)
    {
        Assert.Equal(vector, DcpAddresses.Checksum(vector.ToLowerInvariant()));
        Assert.Equal(vector, DcpAddresses.Checksum(vector[2..].ToUpperInvariant()));
        Assert.True(DcpAddresses.HasValidChecksum(vector));
        Assert.False(DcpAddresses.HasValidChecksum(FlipFirstLetter(vector)));
        Assert.Equal(vector.ToLowerInvariant(), DcpAddresses.Normalize(vector));
    }

    [Fact]
    public void Keccak_is_Keccak_256_not_SHA3_256()
    {
        Assert.Equal("c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470", Convert.ToHexStringLower(DcpKeys.Keccak256([])));
    }

    [Theory]
    [InlineData("0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a")]
    [InlineData("19E7E376E7C213B7E7E7E46CC70A5DD086DAFF2A")]
    [InlineData("0X19e7E376E7C213B7E7e7e46cc70A5dD086DAff2A")]
    [InlineData(" 0x19E7E376E7C213B7E7e7e46cc70A5dD086DAff2A ")]
    public void Normalize_accepts_any_case_with_or_without_0x(string address) =>
        Assert.Equal(ExpectedIdentity, DcpAddresses.Normalize(address));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2")]
    [InlineData("0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2a00")]
    [InlineData("0x19e7e376e7c213b7e7e7e46cc70a5dd086daff2g")]
    [InlineData("0x0x9e7e376e7c213b7e7e7e46cc70a5dd086daff2a")]
    public void Normalize_refuses_what_is_no_address(string? address) => Assert.Null(DcpAddresses.Normalize(address));

    [Fact]
    public void A_new_job_id_is_20_random_bytes_in_EIP_55_form()
    {
        var id = DcpAddresses.NewJobId();

        Assert.Matches("^0x[0-9a-fA-F]{40}$", id);
        Assert.True(DcpAddresses.HasValidChecksum(id));
        Assert.Equal(id.ToLowerInvariant(), DcpAddresses.Normalize(id));
        Assert.Equal(id, DcpAddresses.Checksum(DcpAddresses.Normalize(id.ToUpperInvariant())));
        Assert.NotEqual(id, DcpAddresses.NewJobId());
    }

    // ---- keystores ----

    [Theory]
    [InlineData("ethers-scrypt-n1024.json")]
    [InlineData("ethereumjs-wallet-pbkdf2-c4096.json")]
    [InlineData("ethers-scrypt-default.json")]
    public void A_standard_keystore_verifies_with_its_password_only(string fixture)
    {
        var keystores = new DcpKeystores();
        var json = Fixture(fixture);

        Assert.Equal(ExpectedIdentity, keystores.Verify(json, Password));
        Assert.Null(keystores.Verify(json, "fleet-test "));
        Assert.Null(keystores.Verify(json, ""));
    }

    [Theory]
    [InlineData("ciphertext")]
    [InlineData("mac")]
    public void A_tampered_keystore_is_refused(string field)
    {
        var keystore = JsonNode.Parse(SmallScrypt)!;
        var crypto = keystore["Crypto"]!;
        var hex = (string)crypto[field]!;
        crypto[field] = (hex[0] == '0' ? "1" : "0") + hex[1..];

        Assert.Null(new DcpKeystores().Verify(keystore.ToJsonString(), Password));
    }

    [Fact]
    public void A_keystore_relabelled_with_another_address_is_refused_though_its_MAC_holds()
    {
        var keystore = JsonNode.Parse(Pbkdf2)!;
        keystore["address"] = "5aaeb6053f3e94c9b9a09f33669435e7ef1beaed";

        Assert.Null(new DcpKeystores().Verify(keystore.ToJsonString(), Password));
    }

    [Fact]
    public void The_address_may_carry_0x_and_crypto_any_case()
    {
        var keystore = JsonNode.Parse(SmallScrypt)!.AsObject();
        keystore["address"] = ExpectedChecksummed;
        var crypto = keystore["Crypto"]!;
        keystore.Remove("Crypto");
        keystore["crypto"] = crypto;

        Assert.Equal(ExpectedIdentity, new DcpKeystores().Verify(keystore.ToJsonString(), Password));
    }

    public static TheoryData<string, string> Hostile => new()
    {
        { "not JSON", "{\"version\":3," },
        { "JSON array", "[1,2,3]" },
        { "empty", "" },
        { "version 2", Edit(o => o["version"] = 2) },
        { "version as a string", Edit(o => o["version"] = "3") },
        { "no crypto", Edit(o => o.Remove("Crypto")) },
        { "no address", Edit(o => o.Remove("address")) },
        { "bad address", Edit(o => o["address"] = "0x1234") },
        { "unknown cipher", Edit(o => o["Crypto"]!["cipher"] = "aes-128-cbc") },
        { "unknown kdf", Edit(o => o["Crypto"]!["kdf"] = "argon2id") },
        { "no salt", Edit(o => o["Crypto"]!["kdfparams"]!.AsObject().Remove("salt")) },
        { "salt not hex", Edit(o => o["Crypto"]!["kdfparams"]!["salt"] = "zz") },
        { "short iv", Edit(o => o["Crypto"]!["cipherparams"]!["iv"] = "00") },
        { "n = 2^30", Edit(o => o["Crypto"]!["kdfparams"]!["n"] = 1 << 30) },
        { "n = 2^19", Edit(o => o["Crypto"]!["kdfparams"]!["n"] = 1 << 19) },
        { "n not a power of two", Edit(o => o["Crypto"]!["kdfparams"]!["n"] = 1000) },
        { "n as a string", Edit(o => o["Crypto"]!["kdfparams"]!["n"] = "1024") },
        { "r·p = 2^20", Edit(o => o["Crypto"]!["kdfparams"]!["p"] = 1 << 17) },
        { "memory 2^18 · r 16", Edit(o => { o["Crypto"]!["kdfparams"]!["n"] = 1 << 18; o["Crypto"]!["kdfparams"]!["r"] = 16; }) },
        { "r = 0", Edit(o => o["Crypto"]!["kdfparams"]!["r"] = 0) },
        { "dklen 16", Edit(o => o["Crypto"]!["kdfparams"]!["dklen"] = 16) },
        { "dklen 2^20", Edit(o => o["Crypto"]!["kdfparams"]!["dklen"] = 1 << 20) },
        { "pbkdf2 c = 10^9", EditPbkdf2(o => o["crypto"]!["kdfparams"]!["c"] = 1_000_000_000) },
        { "pbkdf2 prf sha512", EditPbkdf2(o => o["crypto"]!["kdfparams"]!["prf"] = "hmac-sha512") },
        { "pbkdf2 no c", EditPbkdf2(o => o["crypto"]!["kdfparams"]!.AsObject().Remove("c")) },
    };

    [Theory]
    [MemberData(nameof(Hostile))]
    public void A_malformed_or_costly_keystore_is_refused_quickly(string why, string json)
    {
        var watch = Stopwatch.StartNew();

        Assert.Null(new DcpKeystores().Verify(json, Password));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"{why}: took {watch.Elapsed}");
    }

    [Fact]
    public void A_created_keystore_verifies_and_names_a_checksummable_address()
    {
        var json = DcpKeystores.Create("round trip", SmallScryptN);
        var address = DcpAddresses.Normalize((string?)JsonNode.Parse(json)!["address"]);
        var keystores = new DcpKeystores();

        Assert.NotNull(address);
        Assert.Equal(address, keystores.Verify(json, "round trip"));
        Assert.Null(keystores.Verify(json, "round trip!"));
        Assert.True(DcpAddresses.HasValidChecksum(DcpAddresses.Checksum(address)));
        Assert.NotEqual(address, DcpAddresses.Normalize((string?)JsonNode.Parse(DcpKeystores.Create("round trip", SmallScryptN))!["address"]));
    }

    [Fact]
    public void A_keystore_created_with_the_default_cost_verifies()
    {
        var json = DcpKeystores.Create(Password);

        Assert.Equal(DcpKeystoreKdf.MaxScryptN / 2, (int)JsonNode.Parse(json)!["crypto"]!["kdfparams"]!["n"]!);
        Assert.NotNull(new DcpKeystores().Verify(json, Password));
    }

    [Fact]
    public void Only_successes_are_cached_and_a_repeat_skips_the_KDF()
    {
        var cache = new DcpIdentityCache();
        var keystores = new DcpKeystores(cache);
        var json = Fixture("ethers-scrypt-default.json");

        Assert.Null(keystores.Verify(json, "wrong"));
        Assert.Equal(0, cache.Count);
        Assert.Equal(ExpectedIdentity, keystores.Verify(json, Password));
        Assert.Equal(1, cache.Count);
        var watch = Stopwatch.StartNew();
        Assert.Equal(ExpectedIdentity, keystores.Verify(json, Password));
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(20), $"a cached verification took {watch.Elapsed}");
    }

    [Fact]
    public void The_cache_keeps_at_most_its_capacity_evicting_the_oldest()
    {
        var cache = new DcpIdentityCache(2);
        cache.Add(cache.KeyOf("a", "1"), "0xa");
        cache.Add(cache.KeyOf("b", "2"), "0xb");
        cache.Add(cache.KeyOf("c", "3"), "0xc");

        Assert.Equal(2, cache.Count);
        Assert.False(cache.TryGet(cache.KeyOf("a", "1"), out _));
        Assert.True(cache.TryGet(cache.KeyOf("c", "3"), out var c));
        Assert.Equal("0xc", c);
        Assert.NotEqual(cache.KeyOf("a:", "1"), cache.KeyOf("a", ":1"));
        Assert.NotEqual(cache.KeyOf("a\0b", "c"), cache.KeyOf("a", "b\0c"));
    }

    // ---- the Authorization header ----

    [Fact]
    public async Task Basic_with_a_standard_keystore_authenticates_its_address()
    {
        Assert.Contains(':', SmallScrypt);

        var result = await Credentials().AuthenticateAsync(Basic(SmallScrypt, Password), Cancel);

        Assert.True(result.Succeeded);
        Assert.Equal(ExpectedIdentity, result.Identity);
        Assert.Null(result.ErrorMessage);
    }

    [Fact]
    public async Task Basic_with_an_empty_password_and_a_lower_case_scheme_authenticates()
    {
        var json = DcpKeystores.Create("", SmallScryptN);
        var address = DcpAddresses.Normalize((string?)JsonNode.Parse(json)!["address"]);

        var result = await Credentials().AuthenticateAsync("basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(json + ":")), Cancel);

        Assert.Equal(address, result.Identity);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("Digest x")]
    [InlineData("Negotiate")]
    [InlineData("Basicx abc")]
    public async Task No_header_or_another_scheme_is_not_provided(string? header)
    {
        var result = await Credentials().AuthenticateAsync(header, Cancel);

        Assert.Equal(DcpAuthFailure.NotProvided, result.Failure);
        Assert.Null(result.Identity);
        Assert.Equal("Authentication method not provided", result.ErrorMessage);
    }

    [Theory]
    [InlineData("Basic")]
    [InlineData("Basic ")]
    [InlineData("Basic !!!not base64!!!")]
    [InlineData("Basic bm8gY29sb24=")] // "no colon"
    [InlineData("Basic //79")] // not UTF-8
    [InlineData("Basic e306ZmxlZXQtdGVzdA==")] // "{}:fleet-test"
    [InlineData("Bearer")]
    [InlineData("Bearer nodot")]
    [InlineData("Bearer 00000000000000000000000000000000.fleet-test")]
    public async Task A_known_scheme_with_bad_credentials_is_invalid(string header)
    {
        var result = await Credentials().AuthenticateAsync(header, Cancel);

        Assert.Equal(DcpAuthFailure.Invalid, result.Failure);
        Assert.Equal("Invalid identity keystore or password", result.ErrorMessage);
    }

    [Fact]
    public async Task Basic_with_the_wrong_password_is_invalid()
    {
        var result = await Credentials().AuthenticateAsync(Basic(SmallScrypt, "fleet"), Cancel);

        Assert.Equal(DcpAuthFailure.Invalid, result.Failure);
    }

    [Fact]
    public async Task Bearer_maps_an_issued_key_and_its_password_to_the_identity()
    {
        var apiKeys = new DcpApiKeys(store.Records, new DcpIdentityCache());
        var apiKey = await apiKeys.IssueAsync(ExpectedChecksummed, "p.w:d", Cancel);
        var credentials = Credentials(apiKeys);

        Assert.Matches("^[0-9a-f]{32}$", apiKey);
        Assert.Equal(ExpectedIdentity, (await credentials.AuthenticateAsync($"Bearer {apiKey}.p.w:d", Cancel)).Identity);
        Assert.Equal(ExpectedIdentity, (await new DcpApiKeys(store.Records, new DcpIdentityCache()).FindAsync($"{apiKey}.p.w:d", Cancel)));
        Assert.Equal(DcpAuthFailure.Invalid, (await credentials.AuthenticateAsync($"Bearer {apiKey}.p.w", Cancel)).Failure);
        Assert.Equal(DcpAuthFailure.Invalid, (await credentials.AuthenticateAsync($"Bearer {apiKey}", Cancel)).Failure);
        Assert.Equal(DcpAuthFailure.Invalid, (await credentials.AuthenticateAsync($"Bearer {apiKey.ToUpperInvariant()}.p.w:d", Cancel)).Failure);
    }

    [Fact]
    public async Task The_store_keeps_neither_the_key_nor_the_password()
    {
        var apiKeys = new DcpApiKeys(store.Records, new DcpIdentityCache());
        var apiKey = await apiKeys.IssueAsync(ExpectedIdentity, "secret-password", Cancel);

        var all = await store.Records.ListAsync(DcpApiKeys.Namespace, "", 1000, Cancel);

        Assert.NotEmpty(all);
        Assert.DoesNotContain(all, r => r.Key.Contains(apiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(all, r => Encoding.UTF8.GetString(r.Value).Contains(apiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(all, r => Encoding.UTF8.GetString(r.Value).Contains("secret-password", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_registered_services_authenticate_both_schemes()
    {
        var apiKey = await store.Services.GetRequiredService<DcpApiKeys>().IssueAsync(ExpectedIdentity, Password, Cancel);
        var credentials = store.Services.GetRequiredService<DcpCredentials>();

        Assert.Equal(ExpectedIdentity, (await credentials.AuthenticateAsync(Basic(Pbkdf2, Password), Cancel)).Identity);
        Assert.Equal(ExpectedIdentity, (await credentials.AuthenticateAsync($"Bearer {apiKey}.{Password}", Cancel)).Identity);
        Assert.Equal(DcpAuthFailure.Invalid, (await credentials.AuthenticateAsync(Basic(apiKey, Password), Cancel)).Failure);
    }

    private DcpCredentials Credentials(DcpApiKeys? apiKeys = null) =>
        new(new DcpKeystores(), apiKeys ?? new DcpApiKeys(store.Records, new DcpIdentityCache()));

    private static string Basic(string json, string password) =>
        "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(json + ":" + password));

    private static string Edit(Action<JsonObject> edit)
    {
        var keystore = JsonNode.Parse(SmallScrypt)!.AsObject();
        edit(keystore);
        return keystore.ToJsonString();
    }

    private static string EditPbkdf2(Action<JsonObject> edit)
    {
        var keystore = JsonNode.Parse(Pbkdf2)!.AsObject();
        edit(keystore);
        return keystore.ToJsonString();
    }

    private static string FlipFirstLetter(string address)
    {
        var chars = address.ToCharArray();
        var i = Array.FindIndex(chars, 2, char.IsLetter);
        chars[i] = char.IsUpper(chars[i]) ? char.ToLowerInvariant(chars[i]) : char.ToUpperInvariant(chars[i]);
        return new string(chars);
    }

    /// <summary>Fleet's record store on a SQLite file in a temp folder of its own, migrated, behind <see cref="FacadeRecords"/>.</summary>
    public sealed class RecordStore : IAsyncLifetime
    {
        private readonly string _directory = Path.Combine(Path.GetTempPath(), $"fleet-dcp-identity-{Guid.NewGuid():N}");
        private ServiceProvider? _services;

        internal FacadeRecords Records => Services.GetRequiredService<FacadeRecords>();

        internal IServiceProvider Services => _services ?? throw new InvalidOperationException("Not initialised.");

        public async ValueTask InitializeAsync()
        {
            Directory.CreateDirectory(_directory);
            var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Store:Provider"] = "sqlite",
                ["Store:ConnectionString"] = $"Data Source={Path.Combine(_directory, "fleet.db")}",
            }).Build();
            _services = new ServiceCollection().AddLogging().AddFleetStore(configuration).AddSingleton<FacadeRecords>().AddDcpIdentity().BuildServiceProvider();
            await _services.GetRequiredService<IFleetStore>().MigrateAsync(TestContext.Current.CancellationToken);
        }

        public async ValueTask DisposeAsync()
        {
            if (_services is not null)
            {
                await _services.DisposeAsync();
            }

            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(_directory, recursive: true);
        }
    }
}
