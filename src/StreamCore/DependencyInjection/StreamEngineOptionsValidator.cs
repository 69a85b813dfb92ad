using Microsoft.Extensions.Options;
using StreamCore;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Validates <see cref="StreamEngineOptions"/> under DI with the engine's own rules (no second copy of them).</summary>
internal sealed class StreamEngineOptionsValidator : IValidateOptions<StreamEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, StreamEngineOptions options) =>
        options.FindError() is { } error ? ValidateOptionsResult.Fail(error.Message) : ValidateOptionsResult.Success;
}
