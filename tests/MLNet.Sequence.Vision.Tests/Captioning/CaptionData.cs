using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.Sequence.Vision.Scenes;

namespace MLNet.Sequence.Vision.Tests.Captioning;

/// <summary>A small captioned scene set written to a temporary folder, and ML.NET's image pipeline over it.</summary>
internal sealed class CaptionData : IDisposable
{
    public CaptionData(int count, int size, int seed, SceneSplit split = SceneSplit.Train)
    {
        Folder = Path.Combine(Path.GetTempPath(), "mlseq-captions-" + Guid.NewGuid().ToString("N"));
        Scenes = new ShapeSceneGenerator(seed).Write(Folder, split, count, size);
        Size = size;
        TsvPath = Path.Combine(Folder, split.ToString().ToLowerInvariant() + ".tsv");
    }

    public string Folder { get; }

    public string TsvPath { get; }

    public int Size { get; }

    public IReadOnlyList<ShapeScene> Scenes { get; }

    /// <summary>Rows of File, Scene, and the captions as one vector of Text (empty slots are padding).</summary>
    public IDataView Load(MLContext ml) => ml.Data.LoadFromTextFile(TsvPath, new TextLoader.Options
    {
        HasHeader = true,
        Separators = ['\t'],
        AllowQuoting = false,
        TrimWhitespace = false,
        Columns =
        [
            new TextLoader.Column("File", DataKind.String, 0),
            new TextLoader.Column("Scene", DataKind.String, 1),
            new TextLoader.Column("Captions", DataKind.String, 2, 6),
            new TextLoader.Column("Caption", DataKind.String, 2),
        ],
    });

    /// <summary>LoadImages → ResizeImages → ExtractPixels, as a user writes it.</summary>
    public IEstimator<ITransformer> Pixels(MLContext ml, int size) =>
        ml.Transforms.LoadImages("Image", Folder, "File")
            .Append(ml.Transforms.ResizeImages("Image", size, size))
            .Append(ml.Transforms.ExtractPixels("Pixels", "Image"));

    public void Dispose()
    {
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
