using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Audio;

/// <summary>Catalog methods that add audio loading and features to <c>mlContext.Transforms</c>.</summary>
public static class AudioCatalog
{
    /// <summary>Reads WAV audio named by a path column (or held in a byte-vector column) into samples and a sample rate.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The samples column; the sample rate goes to this name + "SampleRate".</param>
    /// <param name="inputColumnName">The Text column of paths or the vector-of-Byte column of file contents.</param>
    /// <param name="audioFolder">The folder relative paths are read from.</param>
    /// <param name="sampleRate">Resample every file to this rate in Hz; 0 keeps each file's own.</param>
    public static LoadAudioEstimator LoadAudio(this TransformsCatalog catalog, string outputColumnName, string? inputColumnName = null,
        string? audioFolder = null, int sampleRate = 0) =>
        new(CatalogUtils.GetEnvironment(catalog), new LoadAudioTransformer.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? "Path",
            AudioFolder = audioFolder,
            SampleRate = sampleRate,
        });

    /// <summary>Reads WAV audio with all settings given.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, folder and sample rate.</param>
    public static LoadAudioEstimator LoadAudio(this TransformsCatalog catalog, LoadAudioTransformer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>Audio features with all settings given (spectrogram, log-mel or MFCC).</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="options">Columns, sample rate and feature settings.</param>
    public static AudioFeaturesEstimator AudioFeatures(this TransformsCatalog catalog, AudioFeaturesTransformer.Options options) =>
        new(CatalogUtils.GetEnvironment(catalog), options);

    /// <summary>A power spectrogram, torchaudio's defaults unless given: FftSize / 2 + 1 values per frame.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The features column; the frame count goes to this name + "Frames".</param>
    /// <param name="inputColumnName">The samples column.</param>
    /// <param name="sampleRate">The rate the samples are at (or are resampled to, with <paramref name="sampleRateColumnName"/>).</param>
    /// <param name="sampleRateColumnName">An Int32 column of each row's rate, such as LoadAudio writes.</param>
    /// <param name="fftSize">The FFT size.</param>
    /// <param name="hopLength">Samples between frames; 0 means FftSize / 2.</param>
    public static AudioFeaturesEstimator Spectrogram(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = "Samples",
        int sampleRate = 16000, string? sampleRateColumnName = null, int fftSize = 400, int hopLength = 0) =>
        Features(catalog, outputColumnName, inputColumnName, sampleRate, sampleRateColumnName, new AudioFeatureSettings
        {
            Kind = AudioFeatureKind.Spectrogram,
            Spectrogram = { FftSize = fftSize, HopLength = hopLength },
        });

    /// <summary>A log-mel spectrogram in decibels: <paramref name="melBands"/> values per frame.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The features column; the frame count goes to this name + "Frames".</param>
    /// <param name="inputColumnName">The samples column.</param>
    /// <param name="sampleRate">The rate the samples are at (or are resampled to, with <paramref name="sampleRateColumnName"/>).</param>
    /// <param name="sampleRateColumnName">An Int32 column of each row's rate, such as LoadAudio writes.</param>
    /// <param name="melBands">Mel bands.</param>
    /// <param name="fftSize">The FFT size.</param>
    /// <param name="hopLength">Samples between frames; 0 means FftSize / 2.</param>
    /// <param name="topDb">Floor this many dB below each clip's peak; 0 for none.</param>
    public static AudioFeaturesEstimator LogMelSpectrogram(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = "Samples",
        int sampleRate = 16000, string? sampleRateColumnName = null, int melBands = 80, int fftSize = 400, int hopLength = 160, float topDb = 80) =>
        Features(catalog, outputColumnName, inputColumnName, sampleRate, sampleRateColumnName, new AudioFeatureSettings
        {
            Kind = AudioFeatureKind.MelSpectrogram,
            Spectrogram = { FftSize = fftSize, HopLength = hopLength },
            MelBands = melBands,
            Log = LogScale.Decibels,
            TopDb = topDb,
        });

    /// <summary>MFCCs (DCT-II of the log-mel spectrogram, torchaudio's MFCC): <paramref name="mfccCount"/> values per frame.</summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The features column; the frame count goes to this name + "Frames".</param>
    /// <param name="inputColumnName">The samples column.</param>
    /// <param name="sampleRate">The rate the samples are at (or are resampled to, with <paramref name="sampleRateColumnName"/>).</param>
    /// <param name="sampleRateColumnName">An Int32 column of each row's rate, such as LoadAudio writes.</param>
    /// <param name="mfccCount">Coefficients kept.</param>
    /// <param name="melBands">Mel bands under the DCT.</param>
    /// <param name="fftSize">The FFT size.</param>
    /// <param name="hopLength">Samples between frames; 0 means FftSize / 2.</param>
    public static AudioFeaturesEstimator Mfcc(this TransformsCatalog catalog, string outputColumnName, string inputColumnName = "Samples",
        int sampleRate = 16000, string? sampleRateColumnName = null, int mfccCount = 13, int melBands = 40, int fftSize = 400, int hopLength = 160) =>
        Features(catalog, outputColumnName, inputColumnName, sampleRate, sampleRateColumnName, new AudioFeatureSettings
        {
            Kind = AudioFeatureKind.Mfcc,
            Spectrogram = { FftSize = fftSize, HopLength = hopLength },
            MelBands = melBands,
            MfccCount = mfccCount,
        });

    private static AudioFeaturesEstimator Features(TransformsCatalog catalog, string output, string input, int sampleRate, string? rateColumn,
        AudioFeatureSettings settings) =>
        new(CatalogUtils.GetEnvironment(catalog), new AudioFeaturesTransformer.Options
        {
            OutputColumnName = output,
            InputColumnName = input,
            SampleRate = sampleRate,
            SampleRateColumnName = rateColumn,
            Features = settings,
        });

    /// <summary>
    /// An n-gram language model (modified Kneser-Ney) estimated from a text column, which scores each row's text and
    /// gives a CTC decoder its shallow fusion (<see cref="NgramLanguageModelTransformer.Model"/>).
    /// </summary>
    /// <param name="catalog">The transforms catalog.</param>
    /// <param name="outputColumnName">The Single column of ln P(text).</param>
    /// <param name="inputColumnName">The Text column of sentences; null means <paramref name="outputColumnName"/>.</param>
    /// <param name="order">The n-gram order, 1 to 6.</param>
    /// <param name="units">Words or characters.</param>
    public static NgramLanguageModelEstimator NgramLanguageModel(this TransformsCatalog catalog, string outputColumnName = "LogProbability",
        string? inputColumnName = "Text", int order = 3, NgramUnits units = NgramUnits.Words) =>
        new(CatalogUtils.GetEnvironment(catalog), new NgramLanguageModelTransformer.Options
        {
            OutputColumnName = outputColumnName,
            InputColumnName = inputColumnName ?? outputColumnName,
            Order = order,
            Units = units,
        });
}
