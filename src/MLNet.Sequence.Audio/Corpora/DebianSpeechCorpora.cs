using System.IO.Compression;
using System.Text.RegularExpressions;

namespace MLNet.Sequence.Audio;

/// <summary>A recording and what is said in it.</summary>
/// <param name="Path">The WAV file.</param>
/// <param name="Transcript">The words spoken, as its corpus writes them (digits spelt out as words).</param>
public sealed record TranscribedRecording(string Path, string Transcript);

/// <summary>
/// Real speech with transcripts from Debian packages that build/setup.sh installs: Asterisk's English prompts
/// (<c>asterisk-core-sounds-en-wav</c>, one professional speaker at 8 kHz, transcripts from <c>asterisk-core-sounds-en</c>)
/// and pocketsphinx's test sentences (<c>pocketsphinx-testdata</c>, read speech at 16 kHz).
/// </summary>
public static partial class DebianSpeechCorpora
{
    /// <summary>Where <c>asterisk-core-sounds-en-wav</c> puts the prompts.</summary>
    public const string AsteriskSoundsFolder = "/usr/share/asterisk/sounds/en";

    /// <summary>Where <c>asterisk-core-sounds-en</c> puts their transcripts, as <c>name: text</c> lines.</summary>
    public const string AsteriskTranscriptsFile = "/usr/share/doc/asterisk-core-sounds-en/core-sounds-en.txt.gz";

    /// <summary>Where <c>pocketsphinx-testdata</c> puts its test data.</summary>
    public const string PocketsphinxDataFolder = "/usr/share/pocketsphinx/test/data";

    private static readonly string[] DigitWords = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];

    /// <summary>
    /// The spoken Asterisk prompts: every <c>name: text</c> line whose WAV exists, with bracketed symbols ("dot [.]")
    /// dropped, single digits spelt out ("press 1" is "press one"), and non-speech lines ("[ascending tones]",
    /// "(1 second of silence)") left out.
    /// </summary>
    /// <exception cref="FileNotFoundException">The transcripts file or the sounds folder is missing (run build/setup.sh).</exception>
    /// <exception cref="InvalidDataException">A line is neither a comment, blank, nor <c>name: text</c>; the line number is given.</exception>
    public static IReadOnlyList<TranscribedRecording> AsteriskPrompts(string soundsFolder = AsteriskSoundsFolder, string transcriptsFile = AsteriskTranscriptsFile)
    {
        if (!Directory.Exists(soundsFolder))
            throw new FileNotFoundException($"The Asterisk sounds folder '{soundsFolder}' does not exist (Debian package asterisk-core-sounds-en-wav; build/setup.sh installs it).", soundsFolder);
        var result = new List<TranscribedRecording>();
        int number = 0;
        foreach (string line in ReadLines(transcriptsFile, "asterisk-core-sounds-en"))
        {
            number++;
            if (line.Length == 0 || line.StartsWith(';'))
                continue;
            int colon = line.IndexOf(": ", StringComparison.Ordinal);
            if (colon <= 0)
                throw new InvalidDataException($"'{transcriptsFile}', line {number}: expected 'name: text', found '{line}'.");
            string name = line[..colon], text = line[(colon + 2)..].Trim();
            if (text.StartsWith('(') && text.EndsWith(')'))
                continue;
            text = SingleDigit().Replace(Bracketed().Replace(text, " "), m => DigitWords[m.Value[0] - '0']).Trim();
            string path = Path.Combine(soundsFolder, name + ".wav");
            if (text.Length > 0 && text.Any(char.IsLetter) && File.Exists(path))
                result.Add(new TranscribedRecording(path, string.Join(' ', text.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
        }
        return result;
    }

    /// <summary>
    /// pocketsphinx's test sentences with WAV audio: each folder's <c>*.transcription</c> or <c>transcription</c> file of
    /// <c>&lt;s&gt; text &lt;/s&gt; (id)</c> lines, each id's <c>id.wav</c> beside it (ids without a WAV left out).
    /// </summary>
    /// <exception cref="FileNotFoundException">The folder is missing (run build/setup.sh).</exception>
    /// <exception cref="InvalidDataException">A transcription line is malformed; the file and line are given.</exception>
    public static IReadOnlyList<TranscribedRecording> PocketsphinxSentences(string dataFolder = PocketsphinxDataFolder)
    {
        if (!Directory.Exists(dataFolder))
            throw new FileNotFoundException($"The pocketsphinx test data folder '{dataFolder}' does not exist (Debian package pocketsphinx-testdata; build/setup.sh installs it).", dataFolder);
        var result = new List<TranscribedRecording>();
        foreach (string folder in Directory.GetDirectories(dataFolder).Order(StringComparer.Ordinal))
            foreach (string file in Directory.GetFiles(folder).Where(f => Path.GetFileName(f) is "transcription" || f.EndsWith(".transcription", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
            {
                int number = 0;
                foreach (string line in File.ReadLines(file))
                {
                    number++;
                    if (line.Trim().Length == 0)
                        continue;
                    var match = SphinxLine().Match(line);
                    if (!match.Success)
                        throw new InvalidDataException($"'{file}', line {number}: expected '<s> text </s> (id)', found '{line}'.");
                    string path = Path.Combine(folder, match.Groups["id"].Value + ".wav");
                    if (File.Exists(path))
                        result.Add(new TranscribedRecording(path, string.Join(' ', match.Groups["text"].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries))));
                }
            }
        return result;
    }

    private static IEnumerable<string> ReadLines(string path, string package)
    {
        if (!File.Exists(path))
            throw new FileNotFoundException($"The transcripts file '{path}' does not exist (Debian package {package}; build/setup.sh installs it).", path);
        using var file = File.OpenRead(path);
        using var reader = new StreamReader(path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file);
        while (reader.ReadLine() is string line)
            yield return line.Trim();
    }

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Bracketed();

    [GeneratedRegex(@"(?<!\w|\d\.)\d(?!\w|\.\d)")]
    private static partial Regex SingleDigit();

    [GeneratedRegex(@"^\s*<s>(?<text>.*)</s>\s*\((?<id>[^()\s]+)\)\s*$")]
    private static partial Regex SphinxLine();
}
