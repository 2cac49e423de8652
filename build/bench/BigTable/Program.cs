// The big-table benchmark's phases, one per process (see build/bench-big-table.sh):
//   generate PATH ROWS DIM      a word2vec binary table of random vectors (seeded), words w0000001 ...
//   load PATH [LIMIT]           WordVectorFile.Load
//   save PATH OUT               load, then WordVectorFile.Save (binary for .bin, else text)
//   zip PATH ZIP                load, ApplyWordVectors, Transform 10,000 rows, mlContext.Model.Save
//   unzip ZIP                   mlContext.Model.Load, Transform the same rows
// Each prints one line "phase seconds=S peak_rss_mib=M [checksum=C]" (seconds of the phase itself, after
// the process has started; peak RSS of the whole process, from /proc/self/status).
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Embeddings;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var clock = Stopwatch.StartNew();
switch (args[0])
{
    case "generate":
        Generate(args[1], int.Parse(args[2]), int.Parse(args[3]));
        Report("generate", clock);
        break;
    case "load":
        var table = WordVectorFile.Load(args[1], limit: args.Length > 2 ? int.Parse(args[2]) : 0);
        Report("load", clock, $"words={table.Count}");
        break;
    case "save":
        var toSave = WordVectorFile.Load(args[1]);
        Report("load", clock);
        clock.Restart();
        WordVectorFile.Save(toSave, args[2]);
        Report("save", clock);
        break;
    case "zip":
    {
        var vectors = WordVectorFile.Load(args[1]);
        Report("load", clock);
        var ml = new MLContext(1);
        var rows = ml.Data.LoadFromEnumerable(Rows(vectors));
        clock.Restart();
        var model = ml.Transforms.Text.ApplyWordVectors(vectors, "Vector", "Text").Fit(rows);
        double checksum = Checksum(model.Transform(rows));
        Report("apply", clock, $"checksum={checksum:R}");
        clock.Restart();
        ml.Model.Save(model, rows.Schema, args[2]);
        Report("zip-save", clock, $"bytes={new FileInfo(args[2]).Length}");
        break;
    }
    case "unzip":
    {
        var ml = new MLContext(1);
        var model = ml.Model.Load(args[1], out _);
        Report("zip-load", clock);
        var vectors = ((WordVectorsTransformer)model).Vectors;
        clock.Restart();
        double checksum = Checksum(model.Transform(ml.Data.LoadFromEnumerable(Rows(vectors))));
        Report("apply", clock, $"checksum={checksum:R}");
        break;
    }
    default:
        throw new ArgumentException($"Unknown phase '{args[0]}'.");
}

// 10,000 rows of 20 words each, spread over the whole table (so that the last rows are read too).
static IEnumerable<Row> Rows(WordVectors vectors)
{
    var random = new Random(7);
    for (int i = 0; i < 10_000; i++)
        yield return new Row { Text = string.Join(' ', Enumerable.Range(0, 20).Select(_ => vectors.Vocabulary[random.Next(vectors.Count)])) };
}

static double Checksum(IDataView scored) => scored.GetColumn<float[]>("Vector").Sum(v => v.Sum(x => (double)x));

static void Generate(string path, int rows, int dim)
{
    var random = new Random(1);
    using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
    stream.Write(System.Text.Encoding.ASCII.GetBytes($"{rows} {dim}\n"));
    var vector = new float[dim];
    for (int i = 0; i < rows; i++)
    {
        for (int d = 0; d < dim; d++)
            vector[d] = (float)(random.NextDouble() - 0.5) * 0.2f;
        stream.Write(System.Text.Encoding.ASCII.GetBytes($"w{i + 1:D7} "));
        stream.Write(MemoryMarshal.AsBytes(vector.AsSpan()));
        stream.WriteByte((byte)'\n');
    }
}

static void Report(string phase, Stopwatch clock, string extra = "")
{
    long peakKiB = File.ReadLines("/proc/self/status").Where(l => l.StartsWith("VmHWM:")).Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1])).Single();
    Console.WriteLine($"{phase} seconds={clock.Elapsed.TotalSeconds:F2} peak_rss_mib={peakKiB / 1024} {extra}".TrimEnd());
}

internal sealed class Row
{
    public string Text { get; set; } = "";
}
