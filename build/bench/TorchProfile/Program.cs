// Where the time of MLNet.Sequence's TorchSharp training goes, and what one call costs (build/bench-torch-profile.sh):
//   epoch GENRE.tsv THREADS   one epoch of the speed benchmark's biLSTM classifier, phase by phase (the training
//                             loop's own clock), and the batch tensors of such an epoch built alone
//   calls THREADS             per-call cost of small operations and of one step of a recurrent decoder: the inner
//                             loop of attention decoders and CTC, where a call's fixed cost weighs most
// Prints "name value unit" lines; build/bench/torch_profile.py prints the same for PyTorch.
using System.Diagnostics;
using System.Globalization;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Torch;
using MLNet.Sequence.Torch.Classification;
using MLNet.Sequence.Torch.Data;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Training;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
int threads = int.Parse(args[^1]);
torch.set_num_threads(threads);
if (args[0] == "epoch")
    Epoch(args[1]);
else
    Calls();
return 0;

static void Epoch(string path)
{
    var ml = new MLContext(seed: 1);
    string? phases = null;
    double seconds = 0;
    ml.Log += (_, e) =>
    {
        if (e.RawMessage.Contains(" phases: ", StringComparison.Ordinal))
            phases = e.RawMessage;
        else if (e.RawMessage.StartsWith("Sequence classifier epoch 1/1", StringComparison.Ordinal))
            seconds = double.Parse(e.RawMessage.Split(", ")[^1].TrimEnd(' ', 's'));
    };
    var all = ml.Data.LoadFromTextFile(path, new TextLoader.Options
    {
        HasHeader = true, Separators = new[] { '\t' }, AllowQuoting = false,
        Columns = new[]
        {
            new TextLoader.Column("Split", DataKind.String, 0),
            new TextLoader.Column("Class", DataKind.String, 2),
            new TextLoader.Column("Text", DataKind.String, 3),
        },
    });
    var train = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label", "Class").Fit(all)
        .Transform(ml.Data.FilterByCustomPredicate<SplitRow>(all, r => r.Split != "train")));
    var options = new SequenceClassifierTrainer.Options
    {
        Embedding = new EmbeddingOptions { Dimension = 100 },
        Encoder = new RecurrentEncoderOptions { HiddenSize = 128, Bidirectional = true },
        Epochs = 1, BatchSize = 32, LearningRate = 2e-3, MaximumLength = 300, Seed = 1,
    };
    var model = ml.MulticlassClassification.Trainers.SequenceClassifier(options).Fit(train);
    Console.WriteLine($"epoch {seconds:F2} s");
    Console.WriteLine(phases);

    // The same epoch's batches, tensors built and nothing else.
    var index = model.Tokens;
    var rows = train.GetColumn<string>("Text")
        .Select(t => t.ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries).Take(300).Select(w => index.IdOf(w)).ToArray()).ToList();
    var clock = Stopwatch.StartNew();
    foreach (var batch in LengthBatches.ForTraining(rows.Select(r => r.Length).ToList(), 32, new Random(1)))
    {
        using var scope = NewDisposeScope();
        PaddedBatch.Create(rows, batch, CPU);
        tensor(batch.Select(r => (long)r % 15).ToArray());
    }
    Console.WriteLine($"batch-tensors {clock.Elapsed.TotalSeconds:F2} s");
}

static void Calls()
{
    using var noGrad = no_grad();
    // A call on a one-value tensor: nothing but the binding's and the dispatcher's fixed cost.
    using (var scope = NewDisposeScope())
    {
        var x = zeros(1);
        Time("add-one-value", 20_000, () => x.add_(1));
    }
    // One greedy step of a recurrent decoder for one sentence, and one beam step for 32 sentences x 5 beams.
    foreach (var (name, rows, vocabulary) in new[] { ("decoder-step-1x1000", 1, 1000), ("decoder-step-160x10000", 160, 10000) })
    {
        using var scope = NewDisposeScope();
        var embedding = nn.Embedding(vocabulary, 256);
        var cell = nn.LSTMCell(256, 256);
        var output = nn.Linear(256, vocabulary);
        var ids = zeros(rows, dtype: int64);
        var h = zeros(rows, 256);
        var c = zeros(rows, 256);
        Time(name, rows == 1 ? 2_000 : 200, () =>
        {
            using var step = NewDisposeScope();
            var (h2, c2) = cell.call(embedding.call(ids), (h, c));
            var logp = output.call(h2).log_softmax(1);
            var (_, best) = logp.topk(5);
            ids = best[.., 0].MoveToOuterDisposeScope();
            h = h2.MoveToOuterDisposeScope();
            c = c2.MoveToOuterDisposeScope();
        });
    }
}

static void Time(string name, int calls, Action call)
{
    for (int i = 0; i < calls / 10; i++)
        call();
    var clock = Stopwatch.StartNew();
    for (int i = 0; i < calls; i++)
        call();
    Console.WriteLine($"{name} {clock.Elapsed.TotalMilliseconds * 1000 / calls:F2} us");
}

internal sealed class SplitRow
{
    public string Split { get; set; } = "";
}
