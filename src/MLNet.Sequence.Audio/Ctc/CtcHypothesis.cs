namespace MLNet.Sequence.Audio;

/// <summary>A word of a transcript and when it was spoken, from the frames its units occupy.</summary>
/// <param name="Word">The word.</param>
/// <param name="Start">Seconds from the start of the audio to the word's first frame.</param>
/// <param name="End">Seconds to the end of the word's last frame.</param>
public sealed record WordTiming(string Word, double Start, double End);

/// <summary>A decoded transcript with its scores and word timings.</summary>
/// <param name="Text">The words joined by single spaces.</param>
/// <param name="Units">The unit indices, repeats collapsed and blanks removed.</param>
/// <param name="Score">The ranking score: the acoustic log-probability plus the language-model and hotword terms.</param>
/// <param name="AcousticLogProbability">ln P(units | audio) summed over the CTC paths the search kept (for greedy, the best path's).</param>
/// <param name="LanguageModelScore">alpha ln P_LM(words) + beta · words + hotword bonuses; 0 without them.</param>
/// <param name="Words">Each word with its start and end in seconds.</param>
public sealed record CtcHypothesis(string Text, IReadOnlyList<int> Units, double Score, double AcousticLogProbability, double LanguageModelScore,
    IReadOnlyList<WordTiming> Words);
