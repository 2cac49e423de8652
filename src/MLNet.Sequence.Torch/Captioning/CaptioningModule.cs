using Microsoft.ML.Runtime;
using MLNet.Sequence.Internal;
using MLNet.Sequence.Torch.Modules;
using MLNet.Sequence.Torch.Translation;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.Captioning;

/// <summary>The shape of a captioning network: everything needed to rebuild it before its weights are loaded.</summary>
/// <param name="Channels">Image planes (0: no pixels; the decoder sees only the global features).</param>
/// <param name="Height">Image height in pixels.</param>
/// <param name="Width">Image width in pixels.</param>
/// <param name="ConvolutionChannels">Output planes of each block (3 × 3 convolution, batch norm, ReLU, 2 × 2 max pooling).</param>
/// <param name="GlobalFeatures">Width of the global feature vector (0: none), such as ResNet18's pooled 512.</param>
/// <param name="Vocabulary">Caption words, reserved ids included.</param>
/// <param name="Embedding">Width of the word embeddings.</param>
/// <param name="DecoderCell">The decoder's recurrent cell.</param>
/// <param name="DecoderHiddenSize">The decoder's state width.</param>
/// <param name="DecoderLayers">The decoder's layers.</param>
/// <param name="Attention">How the decoder scores regions.</param>
/// <param name="AttentionHiddenSize">Width of the additive attention's hidden layer.</param>
/// <param name="Dropout">Dropout on regions, embeddings and attentional vectors.</param>
internal sealed record CaptioningShape(
    int Channels, int Height, int Width, int[] ConvolutionChannels, int GlobalFeatures,
    int Vocabulary, int Embedding, RecurrentCellType DecoderCell, int DecoderHiddenSize, int DecoderLayers,
    AttentionType Attention, int AttentionHiddenSize, double Dropout)
{
    public bool HasPixels => Channels > 0;

    /// <summary>Rows and columns of the region grid the decoder attends over (1 × 1 without pixels).</summary>
    public (int Rows, int Columns) Regions
    {
        get
        {
            if (!HasPixels)
                return (1, 1);
            int h = Height, w = Width;
            foreach (var _ in ConvolutionChannels)
            {
                h /= 2;
                w /= 2;
            }
            return (h, w);
        }
    }

    /// <summary>Width of each attended position.</summary>
    public int MemorySize => HasPixels ? ConvolutionChannels[^1] : DecoderHiddenSize;

    public void Write(BinaryWriter w)
    {
        w.Write(Channels);
        w.Write(Height);
        w.Write(Width);
        w.WriteLongs(ConvolutionChannels.Select(c => (long)c).ToArray());
        w.Write(GlobalFeatures);
        w.Write(Vocabulary);
        w.Write(Embedding);
        w.Write((int)DecoderCell);
        w.Write(DecoderHiddenSize);
        w.Write(DecoderLayers);
        w.Write((int)Attention);
        w.Write(AttentionHiddenSize);
        w.Write(Dropout);
    }

    public static CaptioningShape Read(IExceptionContext ectx, BinaryReader r)
    {
        var shape = new CaptioningShape(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
            r.ReadLongs("convolution channels").Select(c => (int)Math.Clamp(c, 0, int.MaxValue)).ToArray(), r.ReadInt32(),
            r.ReadInt32(), r.ReadInt32(), (RecurrentCellType)r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), (AttentionType)r.ReadInt32(),
            r.ReadInt32(), r.ReadDouble());
        ectx.CheckDecode(shape.Channels >= 0 && shape.GlobalFeatures >= 0 && (shape.HasPixels || shape.GlobalFeatures > 0),
            "The captioning model reads neither pixels nor features.");
        ectx.CheckDecode(!shape.HasPixels || (shape.Height > 0 && shape.Width > 0 && shape.ConvolutionChannels.Length > 0
            && shape.ConvolutionChannels.All(c => c > 0) && shape.Regions.Rows > 0 && shape.Regions.Columns > 0), "Bad image shape in the captioning model.");
        ectx.CheckDecode(shape.Vocabulary > 0 && shape.Embedding > 0 && Enum.IsDefined(shape.DecoderCell) && shape.DecoderHiddenSize > 0
            && shape.DecoderLayers > 0 && Enum.IsDefined(shape.Attention) && shape.AttentionHiddenSize > 0 && shape.Dropout >= 0 && shape.Dropout < 1,
            "Bad decoder shape in the captioning model.");
        return shape;
    }
}

/// <summary>
/// An image captioner. With pixels, a convolutional encoder turns the image into a grid of regions, each a
/// feature vector plus a learned embedding of its position (so that "left of" can be read from where attention
/// looks), and the <see cref="AttentionDecoder"/> attends over them at every word (show, attend and tell). With
/// only a global feature vector (ResNet18's, say) the memory is that one vector, projected (show and tell). The
/// decoder's first state comes from the global features and, with pixels, a layout summary of the regions
/// (a 1 × 1 convolution to a few planes, flattened in place).
/// </summary>
internal sealed class CaptioningModule : nn.Module
{
    private readonly Sequential? convolution;
    private readonly Parameter? positions;
    private readonly Conv2d? layout;
    private readonly Linear? globalMemory;
    private readonly Linear bridgeHidden;
    private readonly Linear? bridgeCell;
    private readonly Dropout dropout;
    private readonly AttentionDecoder decoding;

    public CaptioningModule(CaptioningShape shape) : base(nameof(CaptioningModule))
    {
        Shape = shape;
        if (shape.HasPixels)
        {
            var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
            int input = shape.Channels;
            for (int i = 0; i < shape.ConvolutionChannels.Length; i++)
            {
                int output = shape.ConvolutionChannels[i];
                blocks.Add(($"conv{i}", nn.Conv2d(input, output, 3, padding: 1, bias: false)));
                blocks.Add(($"norm{i}", nn.BatchNorm2d(output)));
                blocks.Add(($"relu{i}", nn.ReLU()));
                blocks.Add(($"pool{i}", nn.MaxPool2d(2)));
                input = output;
            }
            convolution = nn.Sequential(blocks);
            var (rows, columns) = shape.Regions;
            positions = nn.Parameter(randn(rows * columns, shape.MemorySize) * 0.1f);
            layout = nn.Conv2d(shape.MemorySize, LayoutPlanes, 1);
        }
        else
            globalMemory = nn.Linear(shape.GlobalFeatures, shape.MemorySize);
        int bridgeInput = shape.GlobalFeatures + (shape.HasPixels ? LayoutPlanes * RegionCount(shape) : 0);
        bridgeHidden = nn.Linear(bridgeInput, shape.DecoderLayers * shape.DecoderHiddenSize);
        if (shape.DecoderCell == RecurrentCellType.Lstm)
            bridgeCell = nn.Linear(bridgeInput, shape.DecoderLayers * shape.DecoderHiddenSize);
        dropout = nn.Dropout(shape.Dropout);
        var embedding = nn.Embedding(shape.Vocabulary, shape.Embedding, padding_idx: Data.TokenIndex.Padding);
        decoding = new AttentionDecoder(new AttentionDecoderShape(shape.Vocabulary, shape.Embedding, shape.MemorySize, shape.DecoderCell,
            shape.DecoderHiddenSize, shape.DecoderLayers, shape.Attention, shape.AttentionHiddenSize, InputFeeding: true,
            FeedPreviousToken: true, shape.Dropout), embedding);
        RegisterComponents();
    }

    // Planes per region of the layout summary that starts the decoder.
    private const int LayoutPlanes = 8;

    private static int RegionCount(CaptioningShape shape) => shape.Regions.Rows * shape.Regions.Columns;

    public CaptioningShape Shape { get; }

    /// <summary>The decoder, which a search drives step by step.</summary>
    public AttentionDecoder Decoder => decoding;

    /// <summary>
    /// Encodes a batch: <paramref name="pixels"/> [batch, channels, height, width] (standardised) and/or
    /// <paramref name="features"/> [batch, global features]; either may be null when the shape has no such input.
    /// </summary>
    public EncodedSource Encode(Tensor? pixels, Tensor? features)
    {
        Tensor memory;
        Tensor? summary = null;
        if (convolution is not null)
        {
            var map = convolution.call(pixels!); // [batch, memory, rows, columns]
            memory = map.flatten(2).transpose(1, 2) + positions!;
            // The decoder starts knowing where things are: a few planes per region, kept in place. Its first words
            // ("a big red circle left of ...") state a relation before attention has reached the second shape.
            summary = dropout.call(layout!.call(map).flatten(1));
        }
        else
            memory = globalMemory!.call(features!).tanh().unsqueeze(1);
        memory = dropout.call(memory);
        long batch = memory.shape[0];
        var mask = ones(batch, memory.shape[1], dtype: ScalarType.Bool, device: memory.device);
        var start = summary is null ? features! : features is null ? summary : cat([features, summary], 1);
        Tensor Layers(Linear layer) =>
            layer.call(start).tanh().view(batch, Shape.DecoderLayers, Shape.DecoderHiddenSize).permute(1, 0, 2).contiguous();
        var state = new RecurrentState(Layers(bridgeHidden), bridgeCell is null ? null : Layers(bridgeCell));
        return new EncodedSource(memory, decoding.Keys(memory), mask, state);
    }
}
