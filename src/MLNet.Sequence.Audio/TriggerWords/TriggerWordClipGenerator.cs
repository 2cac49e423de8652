namespace MLNet.Sequence.Audio;

/// <summary>A recording of a word or phrase to insert into clips: synthesized or the user's own.</summary>
/// <param name="Text">What is said.</param>
/// <param name="Samples">The samples, at the generator's rate, without leading or trailing silence.</param>
/// <param name="Source">Where it comes from (a voice, a file), for reports.</param>
public sealed record SpokenClip(string Text, float[] Samples, string Source);

/// <summary>A background to insert words into: noise, music, or speech that never says the keyword.</summary>
/// <param name="Name">What it is (a colour, a file), for reports.</param>
/// <param name="Samples">The samples, at the generator's rate; shorter than a clip, it is repeated.</param>
public sealed record BackgroundAudio(string Name, float[] Samples);

/// <summary>An inserted recording: a keyword or another word, where it starts and ends in seconds.</summary>
public sealed record ClipSegment(bool IsKeyword, string Text, string Source, double Start, double End);

/// <summary>A generated training clip: its samples, its per-step labels and what was inserted where.</summary>
public sealed record TriggerWordClip(float[] Samples, float[] Labels, IReadOnlyList<ClipSegment> Segments, string Background, double SnrDb);

/// <summary>Settings of <see cref="TriggerWordClipGenerator"/>; the defaults are the curriculum's.</summary>
public sealed class TriggerWordClipOptions
{
    /// <summary>Clip length in seconds.</summary>
    public double ClipSeconds = 10;

    /// <summary>Sample rate of the clips and of every source (the curriculum's 44.1 kHz).</summary>
    public int SampleRate = 44100;

    /// <summary>Output steps of the model per clip (the curriculum's 1,375: 5,511 spectrogram frames through a stride-4 convolution of 15).</summary>
    public int OutputSteps = 1375;

    /// <summary>Steps labelled 1 after each keyword ends.</summary>
    public int LabelSteps = 50;

    /// <summary>Keywords inserted per clip: 0 to this many, uniformly.</summary>
    public int MaxKeywords = 4;

    /// <summary>Other words inserted per clip: 0 to this many, uniformly.</summary>
    public int MaxNegatives = 2;

    /// <summary>The lowest speech-to-background ratio in dB.</summary>
    public double MinSnrDb = 5;

    /// <summary>The highest speech-to-background ratio in dB.</summary>
    public double MaxSnrDb = 20;

    /// <summary>Tries to place each recording where it overlaps none placed before; one that finds no room is left out.</summary>
    public int PlacementAttempts = 50;

    internal void Check()
    {
        if (!(ClipSeconds > 0 && ClipSeconds <= 600))
            throw new ArgumentOutOfRangeException(nameof(ClipSeconds), ClipSeconds, "ClipSeconds must be in (0, 600]");
        if (SampleRate is < 1000 or > 384_000)
            throw new ArgumentOutOfRangeException(nameof(SampleRate), SampleRate, "SampleRate must be between 1,000 and 384,000 Hz");
        if (OutputSteps < 1)
            throw new ArgumentOutOfRangeException(nameof(OutputSteps), OutputSteps, "OutputSteps must be positive");
        if (LabelSteps < 1 || LabelSteps > OutputSteps)
            throw new ArgumentOutOfRangeException(nameof(LabelSteps), LabelSteps, "LabelSteps must be between 1 and OutputSteps");
        if (MaxKeywords < 0 || MaxNegatives < 0)
            throw new ArgumentOutOfRangeException(MaxKeywords < 0 ? nameof(MaxKeywords) : nameof(MaxNegatives), "must not be negative");
        if (!(MinSnrDb <= MaxSnrDb) || !double.IsFinite(MinSnrDb) || !double.IsFinite(MaxSnrDb))
            throw new ArgumentOutOfRangeException(nameof(MinSnrDb), MinSnrDb, "MinSnrDb and MaxSnrDb must be finite with MinSnrDb <= MaxSnrDb");
        if (PlacementAttempts < 1)
            throw new ArgumentOutOfRangeException(nameof(PlacementAttempts), PlacementAttempts, "PlacementAttempts must be positive");
    }
}

/// <summary>
/// The curriculum's trigger-word training set, seeded: clips of background audio into which 0 to MaxKeywords
/// keyword recordings and 0 to MaxNegatives other words are inserted at random places that do not overlap, mixed
/// at a random speech-to-background ratio, and labelled 1 for the LabelSteps output steps after each keyword ends.
/// </summary>
public sealed class TriggerWordClipGenerator
{
    private readonly TriggerWordClipOptions _options;
    private readonly IReadOnlyList<SpokenClip> _keywords, _negatives;
    private readonly IReadOnlyList<BackgroundAudio> _backgrounds;
    private readonly Random _random;
    private readonly int _clipLength;
    private readonly double _speechRms; // the level every inserted recording is brought to

    /// <summary>Checks the sources against the settings and starts the seeded sequence of clips.</summary>
    /// <exception cref="ArgumentException">No keywords or backgrounds, a recording that is empty, silent, not finite or longer than a clip.</exception>
    public TriggerWordClipGenerator(TriggerWordClipOptions options, IReadOnlyList<SpokenClip> keywords, IReadOnlyList<SpokenClip> negatives,
        IReadOnlyList<BackgroundAudio> backgrounds, int seed)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(keywords);
        ArgumentNullException.ThrowIfNull(negatives);
        ArgumentNullException.ThrowIfNull(backgrounds);
        options.Check();
        _options = options;
        _clipLength = (int)Math.Round(options.ClipSeconds * options.SampleRate);
        if (keywords.Count == 0)
            throw new ArgumentException("Give at least one keyword recording.", nameof(keywords));
        if (backgrounds.Count == 0)
            throw new ArgumentException("Give at least one background (noise, music or keyword-free speech).", nameof(backgrounds));
        foreach (var (clip, what) in keywords.Select(k => (k, "keyword")).Concat(negatives.Select(n => (n, "negative"))))
        {
            if (clip.Samples.Length == 0 || clip.Samples.Length > _clipLength)
                throw new ArgumentException($"The {what} recording '{clip.Text}' from {clip.Source} has {clip.Samples.Length} samples; it must have 1 to {_clipLength} (one clip).", what == "keyword" ? nameof(keywords) : nameof(negatives));
            CheckSamples(clip.Samples, $"The {what} recording '{clip.Text}' from {clip.Source}", what == "keyword" ? nameof(keywords) : nameof(negatives));
        }
        foreach (var background in backgrounds)
        {
            if (background.Samples.Length == 0)
                throw new ArgumentException($"The background '{background.Name}' is empty.", nameof(backgrounds));
            CheckSamples(background.Samples, $"The background '{background.Name}'", nameof(backgrounds));
        }
        _keywords = keywords;
        _negatives = negatives;
        _backgrounds = backgrounds;
        _speechRms = keywords.Average(k => Math.Sqrt(AudioAugmentation.Power(k.Samples)));
        _random = new Random(seed);
    }

    /// <summary>The next clip of the seeded sequence.</summary>
    public TriggerWordClip Next()
    {
        var background = _backgrounds[_random.Next(_backgrounds.Count)];
        double snr = _options.MinSnrDb + (_options.MaxSnrDb - _options.MinSnrDb) * _random.NextDouble();
        // The background at the ratio's level below the speech, from a random point, repeated if short.
        var samples = new float[_clipLength];
        var source = background.Samples;
        double gain = _speechRms / Math.Pow(10, snr / 20) / Math.Max(1e-12, Math.Sqrt(AudioAugmentation.Power(source)));
        int offset = _random.Next(source.Length);
        for (int i = 0; i < _clipLength; i++)
            samples[i] = (float)(source[(offset + i) % source.Length] * gain);

        var placed = new List<(int Start, int End)>();
        var segments = new List<ClipSegment>();
        void Insert(IReadOnlyList<SpokenClip> pool, int count, bool keyword)
        {
            for (int n = 0; n < count && pool.Count > 0; n++)
            {
                var clip = pool[_random.Next(pool.Count)];
                int length = clip.Samples.Length;
                for (int attempt = 0; attempt < _options.PlacementAttempts; attempt++)
                {
                    int start = _random.Next(_clipLength - length + 1), end = start + length;
                    if (placed.Any(p => start < p.End && p.Start < end))
                        continue;
                    placed.Add((start, end));
                    // Each recording at the common speech level, then 3 dB either way.
                    double level = _speechRms / Math.Max(1e-12, Math.Sqrt(AudioAugmentation.Power(clip.Samples))) * Math.Pow(10, (6 * _random.NextDouble() - 3) / 20);
                    for (int i = 0; i < length; i++)
                        samples[start + i] += (float)(clip.Samples[i] * level);
                    segments.Add(new ClipSegment(keyword, clip.Text, clip.Source, (double)start / _options.SampleRate, (double)end / _options.SampleRate));
                    break;
                }
            }
        }
        Insert(_keywords, _random.Next(_options.MaxKeywords + 1), keyword: true);
        Insert(_negatives, _random.Next(_options.MaxNegatives + 1), keyword: false);
        segments.Sort((a, b) => a.Start.CompareTo(b.Start));
        var labels = TriggerWordLabels.Create(segments.Where(s => s.IsKeyword).Select(s => s.End), _options.ClipSeconds, _options.OutputSteps, _options.LabelSteps);
        return new TriggerWordClip(samples, labels, segments, background.Name, snr);
    }

    /// <summary>The next <paramref name="count"/> clips.</summary>
    public IEnumerable<TriggerWordClip> Generate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        for (int i = 0; i < count; i++)
            yield return Next();
    }

    private static void CheckSamples(float[] samples, string what, string parameter)
    {
        for (int i = 0; i < samples.Length; i++)
            if (!float.IsFinite(samples[i]))
                throw new ArgumentException($"{what} has a non-finite sample ({samples[i]}) at {i}.", parameter);
        if (AudioAugmentation.Power(samples) < 1e-10)
            throw new ArgumentException($"{what} is silent.", parameter);
    }
}
