using System.Diagnostics;

namespace MLNet.Sequence.Audio;

/// <summary>The offline text-to-speech engines <see cref="SpeechSynthesizer"/> drives.</summary>
public enum SynthesisEngine
{
    /// <summary>espeak-ng (Debian package <c>espeak-ng</c>): many languages and voice variants, 22,050 Hz.</summary>
    EspeakNg,

    /// <summary>flite (Debian package <c>flite</c>): English voices awb, rms, slt, kal16 and kal, 16 kHz (kal 8 kHz).</summary>
    Flite,
}

/// <summary>One synthetic speaker: an engine, its voice, and how fast and how high it speaks.</summary>
/// <param name="Engine">The engine.</param>
/// <param name="Voice">espeak-ng: a voice with an optional variant ("en-us", "en-gb+f3"); flite: awb, rms, slt, kal16 or kal.</param>
/// <param name="Rate">Speed relative to the voice's normal one (1 is normal, 0.8 slower, 1.3 faster).</param>
/// <param name="Pitch">Pitch relative to the voice's normal one (1 is normal).</param>
public sealed record SynthesisVoice(SynthesisEngine Engine, string Voice, double Rate = 1, double Pitch = 1);

/// <summary>
/// Speech from text by the offline engines set-up installs, for training sets: each call runs the engine's
/// command line and reads the WAV it writes. Deterministic: the same text and voice give the same samples.
/// </summary>
public static class SpeechSynthesizer
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Speaks <paramref name="text"/> in <paramref name="voice"/>.</summary>
    /// <exception cref="ArgumentException">The text is empty or holds control characters, or the voice's settings are out of range.</exception>
    /// <exception cref="InvalidOperationException">The engine is not installed, fails (an unknown voice, say) or writes no audio.</exception>
    public static WavAudio Speak(string text, SynthesisVoice voice)
    {
        ArgumentNullException.ThrowIfNull(voice);
        ArgumentException.ThrowIfNullOrWhiteSpace(text);
        if (text.Any(char.IsControl))
            throw new ArgumentException("the text must be one line without control characters", nameof(text));
        ArgumentException.ThrowIfNullOrWhiteSpace(voice.Voice, nameof(voice));
        if (!(voice.Rate >= 0.3 && voice.Rate <= 3))
            throw new ArgumentOutOfRangeException(nameof(voice), voice.Rate, "the voice's Rate must be between 0.3 and 3");
        if (!(voice.Pitch >= 0.3 && voice.Pitch <= 3))
            throw new ArgumentOutOfRangeException(nameof(voice), voice.Pitch, "the voice's Pitch must be between 0.3 and 3");
        // flite falls back to its default voice without a word when the name is unknown.
        if (voice.Engine == SynthesisEngine.Flite && !FliteVoices().Contains(voice.Voice))
            throw new ArgumentException($"flite has no voice '{voice.Voice}'; it has {string.Join(", ", FliteVoices())}", nameof(voice));
        string file = Path.Combine(Path.GetTempPath(), $"mlnet-seq-tts-{Guid.NewGuid():N}.wav");
        try
        {
            var start = voice.Engine switch
            {
                // espeak-ng: 175 words per minute and pitch 50 of 0-99 are its defaults.
                SynthesisEngine.EspeakNg => Command("espeak-ng", "-v", voice.Voice, "-s", ((int)Math.Round(175 * voice.Rate)).ToString(),
                    "-p", Math.Clamp((int)Math.Round(50 * voice.Pitch), 0, 99).ToString(), "-w", file, "--", text),
                // flite stretches durations (the inverse of the rate) and shifts its F0 target (110 Hz for its male voices).
                SynthesisEngine.Flite => Command("flite", "-voice", voice.Voice, "--setf", FormattableString.Invariant($"duration_stretch={1 / voice.Rate:0.###}"),
                    "--setf", FormattableString.Invariant($"int_f0_target_mean={110 * voice.Pitch:0.#}"), "-t", text, "-o", file),
                _ => throw new ArgumentOutOfRangeException(nameof(voice), voice.Engine, "unknown synthesis engine"),
            };
            Run(start, voice);
            if (!File.Exists(file) || new FileInfo(file).Length <= 44)
                throw new InvalidOperationException($"{start.FileName} wrote no audio for voice '{voice.Voice}' (an unknown voice?)");
            return WavFile.Read(file);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>espeak-ng's voices for a language ("en", "de", "es"; empty for all), as names <see cref="Speak"/> accepts.</summary>
    public static IReadOnlyList<string> EspeakVoices(string language = "")
    {
        var start = Command("espeak-ng", $"--voices={language}");
        start.RedirectStandardOutput = true;
        var output = Run(start, null);
        // Columns: priority, language, age/gender, name, file, other languages; the language is what -v takes.
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            // mbrola voices need extra packages; "!v/" entries are variants (language "variant"), which go after a voice's "+".
            .Where(parts => parts.Length >= 5 && !parts[4].StartsWith("mb/", StringComparison.Ordinal) && !parts[4].StartsWith("!v/", StringComparison.Ordinal))
            .Select(parts => parts[1]).Distinct().ToList();
    }

    /// <summary>flite's voices (awb, rms, slt, kal16, kal and awb_time on Debian 12).</summary>
    public static IReadOnlyList<string> FliteVoices()
    {
        var start = Command("flite", "-lv");
        start.RedirectStandardOutput = true;
        string output = Run(start, null);
        int colon = output.IndexOf(':');
        return colon < 0 ? [] : output[(colon + 1)..].Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
    }

    private static ProcessStartInfo Command(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        return start;
    }

    private static string Run(ProcessStartInfo start, SynthesisVoice? voice)
    {
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"{start.FileName} is not installed (build/setup.sh installs it from Debian): {e.Message}", e);
        }
        using (process)
        {
            var output = start.RedirectStandardOutput ? process.StandardOutput.ReadToEndAsync() : Task.FromResult("");
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(Timeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{start.FileName} did not finish within {Timeout.TotalSeconds} s");
            }
            string message = error.Result.Trim();
            if (process.ExitCode != 0 || (voice != null && message.Length > 0 && start.FileName == "espeak-ng"))
                throw new InvalidOperationException($"{start.FileName} failed{(voice == null ? "" : $" for voice '{voice.Voice}'")}" +
                    $" (exit code {process.ExitCode}): {(message.Length == 0 ? "no message" : message)}");
            return output.Result;
        }
    }
}
