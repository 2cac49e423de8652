using MLNet.Sequence.Audio;
using MLNet.Sequence.Tests;

namespace MLNet.Sequence.Torch.Tests.Speech;

/// <summary>Rows of <see cref="ToneLanguage"/> utterances as 10 ms log-mel frames of 20 bands, with their transcripts.</summary>
internal static class ToneSpeech
{
    public static readonly AudioFeaturizer Featurizer = new(new AudioFeatureSettings
    {
        Kind = AudioFeatureKind.MelSpectrogram,
        MelBands = 20,
        Log = LogScale.Decibels,
        Spectrogram = { FftSize = 200, HopLength = 80 },
    }, ToneLanguage.SampleRate);

    public static float[] Speak(string text, Random random) => ToneLanguage.Speak(text, random);

    public sealed class Row
    {
        [Microsoft.ML.Data.VectorType]
        public float[] Features { get; set; } = [];

        public string Text { get; set; } = "";
    }

    public static Row[] Rows(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            string text = ToneLanguage.RandomText(random);
            return new Row { Text = text, Features = Featurizer.Compute(ToneLanguage.Speak(text, random)) };
        }).ToArray();
    }
}
