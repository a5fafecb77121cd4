using System.Collections.Concurrent;
using Fleet.Contracts;
using Fleet.Placement;
using Fleet.ServiceDefaults;
using Fleet.Storage;
using Fleet.Storage.Blobs;
using Fleet.Storage.Packages;
using MassTransit;
using Microsoft.Extensions.Options;

namespace Fleet.Core.Functions;

/// <summary>
/// The functions of every facade: the registration rules, held once, and definitions read through a short cache. A
/// deletion is published so every gateway drops its cached copy and every worker retires the function's instances.
/// </summary>
internal sealed class FunctionRegistry(
    IFleetStore store, IPublishEndpoint publisher, WorkerLedger workers, IOptions<CoreOptions> options, IOptions<PackageLimits> packageLimits,
    TimeProvider time)
{
    private const string Unreachable = "the function store cannot be reached";

    private readonly ConcurrentDictionary<FunctionRef, (FunctionSpec Spec, DateTimeOffset Until)> _cache = new();
    private readonly TimeSpan _ttl = TimeSpan.FromSeconds(options.Value.FunctionCacheSeconds);

    /// <summary>
    /// Checks the rules in <see cref="RegistrationProblem"/>'s order, then stores the package (once per content) and
    /// the definition under a new generation. With <paramref name="replace"/>, a function of that name is deleted
    /// once the new one has passed every check (Faasm's uploads), so a refused upload leaves the old one in place.
    /// </summary>
    public async Task<Registration> RegisterAsync(FunctionRegistration request, CancellationToken cancellationToken, bool replace = false)
    {
        if (!FunctionNames.IsValid(request.Function.Name))
        {
            return Registration.Refused(RegistrationProblem.Name, "Name must be 1-128 letters, digits, '_', '.' or '-'");
        }

        var custom = request.Runtime == Runtimes.Custom;

        // A runtime only some workers offer is unknown while none of them is live (Serverledge's custom images).
        var runtimeKnown = Runtimes.IsKnown(request.Runtime) && (!Runtimes.IsOptional(request.Runtime) || workers.Offers(request.Runtime));
        if (runtimeKnown && !custom)
        {
            try
            {
                PackageArchive.Validate(request.Package, packageLimits.Value, cancellationToken);
            }
            catch (InvalidPackageException invalid)
            {
                return Registration.Refused(RegistrationProblem.Package, invalid.Message);
            }
        }

        if (!replace && await FindAsync(request.Function, cancellationToken) is not null)
        {
            return Registration.Refused(RegistrationProblem.NameTaken);
        }

        if (!runtimeKnown)
        {
            return Registration.Refused(RegistrationProblem.Runtime, $"unknown runtime {request.Runtime}");
        }

        if (custom && ImageProblem(request.CustomImage) is { } image)
        {
            return Registration.Refused(RegistrationProblem.Image, image);
        }

        if (SizeProblem(request) is { } size)
        {
            return size;
        }

        if (!CallConventions.IsKnown(request.Convention))
        {
            return Registration.Refused(RegistrationProblem.Convention, $"unknown calling convention {request.Convention}");
        }

        if (HandlerProblem(request.Runtime, request.Convention, request.Handler) is { } handler)
        {
            return Registration.Refused(RegistrationProblem.Handler, handler);
        }

        var timeout = request.TimeoutSeconds ?? options.Value.DefaultTimeoutSeconds;
        if (timeout < 1 || timeout > options.Value.MaxTimeoutSeconds)
        {
            return Registration.Refused(RegistrationProblem.Timeout, $"Timeout must be 1 to {options.Value.MaxTimeoutSeconds} seconds");
        }

        var package = custom ? [] : request.Package;
        if (request.Runtime == Runtimes.Wasm)
        {
            // Compiled here, once, whatever the package brought: workers load only code this registry compiled.
            var (compiled, problem) = WasmPackages.Compile(package);
            if (problem is not null)
            {
                return Registration.Refused(RegistrationProblem.Package, problem);
            }

            package = compiled!;
        }

        var spec = new FunctionSpec
        {
            Namespace = request.Function.Namespace,
            Name = request.Function.Name,
            Runtime = request.Runtime,
            Handler = custom ? request.Handler ?? "" : request.Handler!,
            CustomImage = custom ? request.CustomImage : null,
            Convention = request.Convention,
            MemoryMB = request.MemoryMB,
            CpuDemand = request.CpuDemand,
            TimeoutSeconds = timeout,
            PackageHash = BlobHash.Of(package),
            Generation = Guid.NewGuid().ToString("N"),
            CreatedAt = time.GetUtcNow(),
        };
        await Guarded(() => store.Blobs.PutAsync(spec.PackageHash, package, expiresAt: null, cancellationToken));
        if (replace)
        {
            await DeleteAsync(request.Function, cancellationToken);
        }

        if (!await Guarded(() => store.Functions.TryCreateAsync(spec, cancellationToken)))
        {
            return Registration.Refused(RegistrationProblem.NameTaken);
        }

        await AnnounceAsync(spec, package.Length, cancellationToken);
        return new Registration(spec, null, "");
    }

    /// <summary>Tells the workers, so they can unpack the package before the first call; the registration stands without it.</summary>
    private async Task AnnounceAsync(FunctionSpec spec, long packageBytes, CancellationToken cancellationToken)
    {
        var announcement = new FunctionRegistered
        {
            Namespace = spec.Namespace, Name = spec.Name, Generation = spec.Generation, PackageHash = spec.PackageHash, PackageBytes = packageBytes,
        };
        try
        {
            await SendDeadline.RunAsync(deadline => publisher.Publish(announcement, deadline), cancellationToken);
        }
        catch (TimeoutException)
        {
            // The broker did not take it in time: workers fetch the package at the first call instead.
        }
    }

    public async Task<FunctionSpec?> FindAsync(FunctionRef function, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(function, out var cached) && cached.Until > now)
        {
            return cached.Spec;
        }

        var spec = await Guarded(() => store.Functions.GetAsync(function.Namespace, function.Name, cancellationToken));
        if (spec is null)
        {
            _cache.TryRemove(function, out _);
            return null;
        }

        _cache[function] = (spec, now + _ttl);
        return spec;
    }

    /// <summary>The function's code as it was registered (a tar archive); null when its package is gone.</summary>
    public Task<byte[]?> PackageAsync(FunctionSpec function, CancellationToken cancellationToken) =>
        Guarded(() => store.Blobs.GetAsync(function.PackageHash, time.GetUtcNow(), cancellationToken));

    public async Task<FunctionSpec?> DeleteAsync(FunctionRef function, CancellationToken cancellationToken)
    {
        var deleted = await Guarded(() => store.Functions.DeleteAsync(function.Namespace, function.Name, cancellationToken));
        Forget(function);
        if (deleted is not null)
        {
            var announcement = new FunctionDeleted { Namespace = deleted.Namespace, Name = deleted.Name, Generation = deleted.Generation };
            try
            {
                await SendDeadline.RunAsync(deadline => publisher.Publish(announcement, deadline), cancellationToken);
            }
            catch (TimeoutException error)
            {
                throw new CoreUnavailableException("the deletion could not be announced", error);
            }
        }

        return deleted;
    }

    /// <summary>The names registered in <paramref name="space"/>, in ordinal order.</summary>
    public Task<IReadOnlyList<string>> ListAsync(string space, CancellationToken cancellationToken) =>
        Guarded(() => store.Functions.ListNamesAsync(space, cancellationToken));

    /// <summary>Drops the cached definition (deleted here, or by another gateway that announced it).</summary>
    public void Forget(FunctionRef function) => _cache.TryRemove(function, out _);

    /// <summary>Instances of this size must fit on one worker heard from lately (with none heard from, only the fixed rules apply).</summary>
    private Registration? SizeProblem(FunctionRegistration request)
    {
        var sizes = workers.LiveWorkerSizes(Runtimes.IsOptional(request.Runtime) ? request.Runtime : null);
        if (InstanceSize.MemoryProblem(request.MemoryMB, sizes) is { } memory)
        {
            return Registration.Refused(RegistrationProblem.Memory, memory);
        }

        return InstanceSize.CpuProblem(request.CpuDemand, request.MemoryMB, sizes) is { } cpu
            ? Registration.Refused(RegistrationProblem.Cpu, cpu)
            : null;
    }

    /// <summary>A image reference as Docker spells one: lower-case repository path, optional tag or digest; no options.</summary>
    private static string? ImageProblem(string? image) =>
        string.IsNullOrEmpty(image) ? "CustomImage is required for the custom runtime"
        : image.Length > 255 || image[0] is '-' or '.' || image.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or '/' or ':' or '@'))
            ? "CustomImage is not a valid image reference"
            : null;

    private static string? HandlerProblem(string runtime, string convention, string? handler)
    {
        if (runtime == Runtimes.Custom)
        {
            // The image's own command is the function (CUSTOM_CMD); a handler is passed to it, not required.
            return convention == CallConventions.JsonHandler ? null : "the custom runtime runs json-handler functions only";
        }

        if (string.IsNullOrWhiteSpace(handler))
        {
            return "Handler is required";
        }

        if (convention == CallConventions.DcpWork)
        {
            // The work function is in dcp/work.json; the handler is not read.
            return runtime is Runtimes.Node or Runtimes.Python ? null : "the dcp-work convention runs on Node and Python only";
        }

        if (runtime == Runtimes.Wasm || convention == CallConventions.FaasmWasm)
        {
            return runtime != Runtimes.Wasm || convention != CallConventions.FaasmWasm
                ? "WebAssembly runs with the faasm-wasm convention, and faasm-wasm runs WebAssembly only"
                : null;
        }

        if (convention == CallConventions.FastmapMap)
        {
            return runtime != Runtimes.Python ? "the fastmap-map convention runs on Python only" : null;
        }

        if (convention == CallConventions.FaasmPython)
        {
            // Faasm's contract names a module (function), whose faasm_main is the entry.
            return runtime != Runtimes.Python ? "the faasm-python convention runs on Python only"
                : handler.Split('.').Any(part => part.Length == 0) ? "Handler must be a module name" : null;
        }

        if (runtime == Runtimes.Python)
        {
            var dot = handler.LastIndexOf('.');
            return dot <= 0 || dot == handler.Length - 1 ? "Handler must be module.function" : null;
        }

        return handler.StartsWith('/') || handler.Split('/').Contains("..") ? "Handler must be a path inside the package" : null;
    }

    private static Task<T> Guarded<T>(Func<Task<T>> storeCall) => StoreCalls.GuardedAsync(Unreachable, storeCall);

    private static Task Guarded(Func<Task> storeCall) => StoreCalls.GuardedAsync(Unreachable, storeCall);
}
