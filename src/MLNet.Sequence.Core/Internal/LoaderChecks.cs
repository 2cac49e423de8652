using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Internal;

/// <summary>How every loader of this library reads its state from a model zip: checked first, and failing plainly.</summary>
internal static class LoaderChecks
{
    /// <summary>
    /// Registers the component's host, checks the arguments and the model's version, verifies the CRC-32 of the
    /// component's entries (<see cref="ModelIntegrity"/>), then runs <paramref name="load"/>. Each component keeps
    /// its static Create, as ML.NET's own do, and calls this.
    /// </summary>
    /// <remarks>
    /// ML.NET calls a loader through reflection and wraps what it throws: an exception made by ML.NET's own
    /// Contracts (a "marked" one) in an "Error during class instantiation" exception and a reflection wrapper, at
    /// every level of a pipeline, which buried a message four or five levels down. Any other exception passes
    /// with the reflection wrapper alone, so a failure is rethrown as a plain <see cref="FormatException"/> that
    /// names the component and its place in the zip: it is the first inner exception of what Model.Load throws
    /// for a lone transformer, the second for a pipeline, and <see cref="Exception.GetBaseException"/> of both.
    /// </remarks>
    public static T Load<T>(IHostEnvironment env, ModelLoadContext ctx, string registrationName, VersionInfo version, string what, Func<IHost, T> load)
    {
        Contracts.CheckValue(env, nameof(env));
        var host = env.Register(registrationName);
        host.CheckValue(ctx, nameof(ctx));
        try
        {
            ctx.CheckAtModel(version);
            ModelIntegrity.VerifyEntries(ctx);
            return load(host);
        }
        catch (Exception e) when (e is not OperationCanceledException and not OutOfMemoryException)
        {
            string place = string.IsNullOrEmpty(ctx.Directory) ? "" : $" (zip folder '{ctx.Directory}')";
            throw new FormatException($"Loading {what}{place} failed: {e.Message}", e);
        }
    }
}
