using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Cli;

/// <summary>What the commands share: finding a component in a loaded model, and printing training progress.</summary>
internal static class ModelFiles
{
    /// <summary>
    /// Loads a model zip, reporting any failure as the file's and the reason's: ML.NET reads the zip's structure and
    /// headers itself and loads each component through reflection, whose wrappers would hide the reason.
    /// </summary>
    public static ITransformer Load(string path)
    {
        if (!File.Exists(path))
            throw new UsageException($"Model file '{path}' does not exist.");
        try
        {
            return new MLContext().Model.Load(path, out _);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new InvalidDataException($"Model '{path}' cannot be loaded: {Reason(e).Message}", e);
        }
    }

    /// <summary>The exception that says why, inside the wrappers ML.NET's reflection adds around a component's own.</summary>
    public static Exception Reason(Exception e)
    {
        while (e.InnerException != null && (e is System.Reflection.TargetInvocationException || e.Message == "Error during class instantiation"))
            e = e.InnerException;
        return e;
    }

    /// <summary>The <typeparamref name="T"/> of the model zip at <paramref name="path"/>; a zip without one is an error naming <paramref name="what"/>.</summary>
    public static T Load<T>(string path, string what) where T : class, ITransformer =>
        Find<T>(Load(path)) ?? throw new UsageException($"Model '{path}' holds no {what}.");

    /// <summary>The first transformer of type <typeparamref name="T"/> in <paramref name="model"/> (a chain is searched), or null.</summary>
    public static T? Find<T>(ITransformer model) where T : class, ITransformer => model switch
    {
        T t => t,
        IEnumerable<ITransformer> chain => chain.Select(Find<T>).FirstOrDefault(v => v != null),
        _ => null,
    };

    /// <summary>Word2Vec's and GloVe's progress on one updated line of standard error, their epoch lines below it.</summary>
    public static void PrintEmbeddingProgress(LoggingEventArgs e)
    {
        if (!e.Source.StartsWith("Word2Vec", StringComparison.Ordinal) && !e.Source.StartsWith("GloVe", StringComparison.Ordinal)
            && !e.Source.Contains("Vocabulary", StringComparison.Ordinal))
            return;
        if (e.Kind == ChannelMessageKind.Trace && e.RawMessage.StartsWith("Alpha:", StringComparison.Ordinal))
            Console.Error.Write("\r" + e.RawMessage + "  ");
        else if (e.Kind is ChannelMessageKind.Info or ChannelMessageKind.Warning)
            Console.Error.WriteLine("\r" + e.RawMessage);
    }
}
