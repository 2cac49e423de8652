using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Audio;

/// <summary>How <see cref="AudioFeatureSettings"/> are written into a model zip and read back, checked.</summary>
internal static class AudioFeatureSettingsIO
{
    public static void Write(this BinaryWriter writer, AudioFeatureSettings s)
    {
        var spec = s.Spectrogram;
        writer.Write((int)s.Kind);
        writer.Write(spec.FftSize);
        writer.Write(spec.WindowLength);
        writer.Write(spec.HopLength);
        writer.Write(spec.Pad);
        writer.Write((int)spec.Window);
        writer.Write(spec.Center);
        writer.Write((int)spec.PadMode);
        writer.Write(spec.Power);
        writer.Write((int)spec.Normalization);
        writer.Write(s.MelBands);
        writer.Write(s.MinFrequency);
        writer.Write(s.MaxFrequency);
        writer.Write((int)s.MelScale);
        writer.Write((int)s.MelNorm);
        writer.Write((int)s.Log);
        writer.Write(s.LogOffset);
        writer.Write(s.TopDb);
        writer.Write(s.MfccCount);
        writer.Write(s.OrthonormalDct);
    }

    /// <summary>Reads settings and builds the featurizer for <paramref name="sampleRate"/>, which checks every value.</summary>
    public static (AudioFeatureSettings Settings, AudioFeaturizer Featurizer) ReadFeaturizer(this BinaryReader reader, int sampleRate)
    {
        var s = new AudioFeatureSettings
        {
            Kind = (AudioFeatureKind)reader.ReadInt32(),
            Spectrogram =
            {
                FftSize = reader.ReadInt32(),
                WindowLength = reader.ReadInt32(),
                HopLength = reader.ReadInt32(),
                Pad = reader.ReadInt32(),
                Window = (WindowFunction)reader.ReadInt32(),
                Center = reader.ReadBoolean(),
                PadMode = (PaddingMode)reader.ReadInt32(),
                Power = reader.ReadSingle(),
                Normalization = (SpectrogramNormalization)reader.ReadInt32(),
            },
            MelBands = reader.ReadInt32(),
            MinFrequency = reader.ReadDouble(),
            MaxFrequency = reader.ReadDouble(),
            MelScale = (MelScale)reader.ReadInt32(),
            MelNorm = (MelNorm)reader.ReadInt32(),
            Log = (LogScale)reader.ReadInt32(),
            LogOffset = reader.ReadSingle(),
            TopDb = reader.ReadSingle(),
            MfccCount = reader.ReadInt32(),
            OrthonormalDct = reader.ReadBoolean(),
        };
        // Mel bands and MFCC sizes are bounded before any filter is built from them.
        Contracts.CheckDecode(s.MelBands is > 0 and <= 4096, $"audio features: {s.MelBands} mel bands is out of range.");
        try
        {
            return (s, new AudioFeaturizer(s, sampleRate));
        }
        catch (ArgumentException e)
        {
            throw Contracts.ExceptDecode($"audio features: {e.Message}");
        }
    }
}
