using System.Numerics.Tensors;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using MLNet.Sequence.Embeddings.GloVe;
using MLNet.Sequence.Embeddings.Training;

BenchmarkSwitcher.FromAssembly(typeof(Word2VecKernels).Assembly).Run(args);

/// <summary>One negative-sampling step, dimension 100 (the default): its two saxpy updates alone, and the whole step.</summary>
[ShortRunJob]
public class Word2VecKernels
{
    private readonly float[] _input = Enumerable.Range(0, 100).Select(i => (i % 7 - 3) * 0.01f).ToArray();
    private readonly float[] _output = Enumerable.Range(0, 100).Select(i => (i % 5 - 2) * 0.01f).ToArray();
    private readonly float[] _gradient = new float[100];

    [Benchmark(Baseline = true, Description = "two TensorPrimitives.MultiplyAdd")]
    public void Separate()
    {
        TensorPrimitives.MultiplyAdd(_output, 1e-3f, _gradient, _gradient);
        TensorPrimitives.MultiplyAdd(_input, 1e-3f, _output, _output);
    }

    [Benchmark(Description = "whole negative-sampling step")]
    public float Step() => NegativeSampling.Step(_input, _output, 1f, 1e-3f, _gradient);
}

/// <summary>The AdaGrad update of a word and a context vector, dimension 100.</summary>
[ShortRunJob]
public class GloVeKernels
{
    private readonly float[] _w = Enumerable.Range(0, 100).Select(i => (i % 7 - 3) * 0.01f).ToArray();
    private readonly float[] _c = Enumerable.Range(0, 100).Select(i => (i % 5 - 2) * 0.01f).ToArray();
    private readonly float[] _gw = Enumerable.Repeat(1f, 100).ToArray();
    private readonly float[] _gc = Enumerable.Repeat(1f, 100).ToArray();
    private readonly float[] _t1 = new float[100], _t2 = new float[100], _root = new float[100];

    [Benchmark(Baseline = true, Description = "nine TensorPrimitives calls")]
    public void Separate()
    {
        const float f = 1e-6f;
        TensorPrimitives.Multiply(_c, f, _t1);
        TensorPrimitives.Multiply(_w, f, _t2);
        TensorPrimitives.Sqrt(_gw, _root);
        TensorPrimitives.Divide(_t1, _root, _root);
        TensorPrimitives.Subtract(_w, _root, _w);
        TensorPrimitives.MultiplyAdd(_t1, _t1, _gw, _gw);
        TensorPrimitives.Sqrt(_gc, _root);
        TensorPrimitives.Divide(_t2, _root, _root);
        TensorPrimitives.Subtract(_c, _root, _c);
        TensorPrimitives.MultiplyAdd(_t2, _t2, _gc, _gc);
    }

    [Benchmark(Description = "fused AdaGradUpdate")]
    public void Fused() => GloVeTrainer.AdaGradUpdate(_w, _c, _gw, _gc, 1e-6f);
}
