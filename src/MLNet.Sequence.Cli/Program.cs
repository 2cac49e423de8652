using System.Globalization;
using MLNet.Sequence.Cli;

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var commands = new[]
{
    EmbeddingCommands.Word2Vec, EmbeddingCommands.GloVe,
    VectorCommands.EvalAnalogy, VectorCommands.EvalSimilarity, VectorCommands.Neighbours, VectorCommands.Convert, VectorCommands.Tsne, VectorCommands.Debias,
    SequenceCommands.Classify, SequenceCommands.Tag, SequenceCommands.LanguageModelTrain, SequenceCommands.LanguageModelScore, SequenceCommands.LanguageModelGenerate,
    TranslationCommands.Train, TranslationCommands.Translate, TranslationCommands.Analysis, TranslationCommands.Bleu,
    SpeechCommands.AudioFeatures, SpeechCommands.SpeechTrain, SpeechCommands.Transcribe, SpeechCommands.ArpaBuild, SpeechCommands.Wer, SpeechCommands.SpeechSynthesize,
    TriggerWordCommands.Synthesize, TriggerWordCommands.Train, TriggerWordCommands.Detect, TriggerWordCommands.Evaluate,
    CaptionCommands.Train, CaptionCommands.Caption,
}.ToDictionary(c => c.Name);
commands["neighbors"] = commands["neighbours"];

if (args.Length == 0 || args[0] is "help" or "-h" or "--help")
{
    if (args.Length > 1)
    {
        if (!commands.TryGetValue(args[1], out var asked))
        {
            Console.Error.WriteLine($"mlnet-seq: unknown command '{args[1]}'. Run 'mlnet-seq help'.");
            return 2;
        }
        Console.WriteLine(asked.Usage());
        return 0;
    }
    Console.WriteLine("mlnet-seq: sequence models for ML.NET from the command line. Flags are word2vec.c's style: -name value.");
    Console.WriteLine();
    foreach (var command in commands.Values.Distinct())
        Console.WriteLine(command.Usage());
    return args.Length == 0 ? 1 : 0;
}

try
{
    if (!commands.TryGetValue(args[0], out var command))
        throw new UsageException($"Unknown command '{args[0]}'. Run 'mlnet-seq help'.");
    return command.Run(new Arguments(command, args.Skip(1)));
}
catch (UsageException e)
{
    Console.Error.WriteLine($"mlnet-seq: {e.Message}");
    return 2;
}
catch (Exception e) when (ModelFiles.Reason(e) is Exception reason and (InvalidDataException or FileNotFoundException or InvalidOperationException
    or ArgumentException or KeyNotFoundException or FormatException or InsufficientMemoryException))
{
    Console.Error.WriteLine($"mlnet-seq: {reason.Message}");
    return 1;
}
