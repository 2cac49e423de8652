using MLNet.Sequence.Audio;

namespace MLNet.Sequence.Audio.Tests;

// espeak-ng and flite come from build/setup.sh, which the test command runs first.
public class SpeechSynthesizerTests
{
    [Fact]
    public void EspeakSpeaksAtItsRateAndSlowerWhenAsked()
    {
        var normal = SpeechSynthesizer.Speak("seven three nine", new SynthesisVoice(SynthesisEngine.EspeakNg, "en-us"));
        var slow = SpeechSynthesizer.Speak("seven three nine", new SynthesisVoice(SynthesisEngine.EspeakNg, "en-us", Rate: 0.6));

        Assert.Equal(22050, normal.SampleRate);
        Assert.InRange(normal.Duration, 0.6, 3);
        Assert.InRange(slow.Duration / normal.Duration, 1.3, 2.2);
        Assert.True(AudioAugmentation.Power(normal.Mono()) > 1e-4, "speech, not silence");
        // Deterministic: a training set can be rebuilt.
        Assert.Equal(normal.Mono(), SpeechSynthesizer.Speak("seven three nine", new SynthesisVoice(SynthesisEngine.EspeakNg, "en-us")).Mono());
    }

    [Fact]
    public void FliteVoicesSpeakAt16kHz()
    {
        Assert.Contains("slt", SpeechSynthesizer.FliteVoices());
        var audio = SpeechSynthesizer.Speak("seven", new SynthesisVoice(SynthesisEngine.Flite, "slt", Pitch: 1.3));

        Assert.Equal(16000, audio.SampleRate);
        Assert.InRange(audio.Duration, 0.2, 2);
        Assert.True(AudioAugmentation.Power(audio.Mono()) > 1e-4, "speech, not silence");
    }

    [Fact]
    public void EnglishVoicesAreListed()
    {
        var voices = SpeechSynthesizer.EspeakVoices("en");

        Assert.Contains("en-us", voices);
        Assert.Contains("en-gb-scotland", voices);
        // Variants (espeak-ng lists them under the language "variant") are not voices; every listed voice speaks.
        Assert.DoesNotContain("variant", voices);
        foreach (var voice in voices)
            Assert.True(SpeechSynthesizer.Speak("one", new SynthesisVoice(SynthesisEngine.EspeakNg, voice + "+f2")).Length > 1000, voice);
    }

    [Fact]
    public void UnknownVoicesAndBadSettingsAreNamed()
    {
        Assert.Contains("'xx-nope'", Assert.Throws<InvalidOperationException>(() => SpeechSynthesizer.Speak("hi", new SynthesisVoice(SynthesisEngine.EspeakNg, "xx-nope"))).Message);
        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => SpeechSynthesizer.Speak("hi", new SynthesisVoice(SynthesisEngine.Flite, "nope"))).Message);
        Assert.Contains("Rate", Assert.Throws<ArgumentOutOfRangeException>(() => SpeechSynthesizer.Speak("hi", new SynthesisVoice(SynthesisEngine.EspeakNg, "en", Rate: 0))).Message);
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => SpeechSynthesizer.Speak(" ", new SynthesisVoice(SynthesisEngine.EspeakNg, "en"))).ParamName);
        Assert.Equal("text", Assert.Throws<ArgumentException>(() => SpeechSynthesizer.Speak("a\nb", new SynthesisVoice(SynthesisEngine.EspeakNg, "en"))).ParamName);
    }
}
