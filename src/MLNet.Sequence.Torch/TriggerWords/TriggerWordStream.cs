using MLNet.Sequence.Audio;
using MLNet.Sequence.Torch.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.Sequence.Torch.TriggerWords;

/// <summary>
/// Detects the keyword in audio that arrives in chunks of any size: it keeps the samples the next feature frame
/// needs, the frames the convolution's next window needs (its left context and stride phase) and both GRUs' states,
/// so that its probabilities equal those of the whole clip at once. Push samples, receive detections as each one's
/// run ends; <see cref="Flush"/> ends the stream.
/// </summary>
public sealed class TriggerWordStream : IDisposable
{
    private readonly AudioFeaturizer _featurizer;
    private readonly TriggerWordTransformer.Settings _settings;
    private readonly TriggerWordModule _module;
    private readonly Device _device;
    private readonly int _fftSize, _hop, _features;
    private readonly List<float> _samples = new();
    private readonly List<float[]> _frames = new();
    private readonly List<float> _probabilities = new();
    private readonly GruRecurrence _firstRecurrence, _secondRecurrence;
    private readonly float[] _first, _second; // the GRUs' states
    private readonly int _refractorySteps;
    private int _nextAllowed, _pendingStep = -1;
    private float _pendingPeak;

    /// <summary>Streams through the features transform and the detector of a trained pipeline.</summary>
    /// <exception cref="ArgumentException">The features centre their frames or clip to a top dB (both need the whole clip), or do not fit the detector.</exception>
    public TriggerWordStream(AudioFeaturesTransformer features, TriggerWordTransformer detector)
    {
        ArgumentNullException.ThrowIfNull(features);
        ArgumentNullException.ThrowIfNull(detector);
        var settings = features.Settings.Features;
        if (settings.Spectrogram.Center || settings.Spectrogram.Pad != 0)
            throw new ArgumentException("Streaming needs features with Spectrogram.Center = false and Pad = 0: centring pads with samples from the clip's end.", nameof(features));
        bool decibels = settings.Log == LogScale.Decibels || (settings.Kind == AudioFeatureKind.Mfcc && settings.Log == LogScale.None);
        if (decibels && (settings.TopDb > 0 || settings.Log == LogScale.None))
            throw new ArgumentException("Streaming needs features without TopDb: its floor follows the whole clip's peak.", nameof(features));
        _settings = detector.Saved;
        if (features.FeatureCount != _settings.Shape.FeatureCount)
            throw new ArgumentException($"The features have {features.FeatureCount} values per frame; the detector takes {_settings.Shape.FeatureCount}.", nameof(features));
        _featurizer = features.Featurizer;
        _fftSize = settings.Spectrogram.FftSize;
        _hop = settings.Spectrogram.EffectiveHopLength;
        _features = _settings.Shape.FeatureCount;
        _module = detector.Network;
        _module.eval();
        _device = detector.Device;
        _firstRecurrence = _module.FirstRecurrence();
        _secondRecurrence = _module.SecondRecurrence();
        _first = new float[_firstRecurrence.HiddenSize];
        _second = new float[_secondRecurrence.HiddenSize];
        SampleRate = features.Settings.SampleRate;
        _refractorySteps = Math.Max(1, (int)Math.Round(_settings.RefractorySeconds / _settings.StepSeconds));
    }

    /// <summary>The rate pushed samples must be at.</summary>
    public int SampleRate { get; }

    /// <summary>Every output step's probability so far.</summary>
    public IReadOnlyList<float> Probabilities => _probabilities;

    /// <summary>Feeds <paramref name="samples"/> and returns the detections that are complete.</summary>
    /// <exception cref="ArgumentException">A sample is not finite; its index in this chunk is given.</exception>
    public IReadOnlyList<TriggerWordDetection> Push(ReadOnlySpan<float> samples)
    {
        for (int i = 0; i < samples.Length; i++)
            if (!float.IsFinite(samples[i]))
                throw new ArgumentException($"Sample {i} of the chunk is {samples[i]}.", nameof(samples));
        foreach (float s in samples)
            _samples.Add(s);
        // Whole feature frames, each exactly as the clip's frame at that position.
        if (_samples.Count >= _fftSize)
        {
            int count = 1 + (_samples.Count - _fftSize) / _hop, used = _fftSize + (count - 1) * _hop;
            var values = _featurizer.Compute(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(_samples)[..used]);
            for (int f = 0; f < count; f++)
            {
                var frame = values.AsSpan(f * _features, _features).ToArray();
                _settings.Normalizer.Apply(frame);
                _frames.Add(frame);
            }
            _samples.RemoveRange(0, count * _hop);
        }
        var detections = new List<TriggerWordDetection>();
        int kernel = _settings.Shape.KernelSize, stride = _settings.Shape.Stride;
        if (_frames.Count >= kernel)
        {
            int steps = 1 + (_frames.Count - kernel) / stride, used = kernel + (steps - 1) * stride;
            var values = new float[used * _features];
            for (int f = 0; f < used; f++)
                _frames[f].CopyTo(values, f * _features);
            // libtorch for the products over the whole chunk, the CPU recurrences for the steps between them.
            using (no_grad())
            using (var scope = NewDisposeScope())
            {
                var firstGates = _module.FirstInputGates(_module.Convolve(tensor(values, [1, used, _features], device: _device))).cpu().data<float>().ToArray();
                var first = new float[steps * _first.Length];
                _firstRecurrence.Run(firstGates, _first, first);
                var secondGates = _module.SecondInputGates(tensor(first, [1, steps, _first.Length], device: _device)).cpu().data<float>().ToArray();
                var second = new float[steps * _second.Length];
                _secondRecurrence.Run(secondGates, _second, second);
                foreach (float p in _module.Logits(tensor(second, [1, steps, _second.Length], device: _device)).sigmoid().cpu().data<float>().ToArray())
                    Step(p, detections);
            }
            _frames.RemoveRange(0, steps * stride);
        }
        return detections;
    }

    /// <summary>Ends the stream: a detection whose run was still open is returned.</summary>
    public IReadOnlyList<TriggerWordDetection> Flush()
    {
        var result = new List<TriggerWordDetection>();
        Close(result);
        return result;
    }

    // The same rule as TriggerWordEvents.Find, one step at a time.
    private void Step(float p, List<TriggerWordDetection> detections)
    {
        int t = _probabilities.Count;
        _probabilities.Add(p);
        if (_pendingStep >= 0)
        {
            if (p >= _settings.Threshold && t < _pendingStep + _refractorySteps)
            {
                _pendingPeak = Math.Max(_pendingPeak, p);
                return;
            }
            Close(detections);
        }
        if (t >= _nextAllowed && p >= _settings.Threshold)
        {
            _pendingStep = t;
            _pendingPeak = p;
            _nextAllowed = t + _refractorySteps;
        }
    }

    private void Close(List<TriggerWordDetection> detections)
    {
        if (_pendingStep < 0)
            return;
        detections.Add(new TriggerWordDetection((_pendingStep + 1) * _settings.StepSeconds, _pendingPeak));
        _pendingStep = -1;
    }

    /// <summary>Holds nothing outside managed memory any more (the GRU states are CPU arrays); kept so that existing <c>using</c> code compiles.</summary>
    public void Dispose()
    {
    }
}
