using System.Text.Json;

namespace MLNet.Sequence.Audio.Tests;

/// <summary>torchaudio 0.13's outputs on generated signals (tests/fixtures/audio/generate_torchaudio_cases.py).</summary>
internal static class TorchaudioCases
{
    private static readonly Lazy<JsonDocument> Document = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "audio", "torchaudio-cases.json"))));

    public static IEnumerable<JsonElement> Of(string kind) => Document.Value.RootElement.GetProperty(kind).EnumerateArray();

    public static JsonElement Named(string kind, string name) => Of(kind).Single(c => c.GetProperty("name").GetString() == name);

    public static float[] Floats(this JsonElement e, string property) =>
        e.GetProperty(property).EnumerateArray().Select(v => v.GetSingle()).ToArray();

    /// <summary>
    /// Asserts that every value is within <paramref name="relative"/> of torchaudio's, relative to the largest
    /// magnitude torchaudio gives (values near zero are compared on the signal's scale, not their own).
    /// </summary>
    public static void AssertClose(float[] expected, float[] actual, double relative, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} values, torchaudio has {expected.Length}");
        double scale = expected.Max(Math.Abs);
        double worst = 0;
        int at = -1;
        for (int i = 0; i < expected.Length; i++)
        {
            double error = Math.Abs(expected[i] - actual[i]) / scale;
            if (error > worst)
                (worst, at) = (error, i);
        }
        Assert.True(worst <= relative, $"{what}: value {at} is {actual[Math.Max(at, 0)]}, torchaudio's {expected[Math.Max(at, 0)]} ({worst:E2} of the peak)");
    }
}
