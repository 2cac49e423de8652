using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.Sequence.Internal;

/// <summary>Getters of vector output columns that copy a row's computed array into ML.NET's buffer.</summary>
internal static class VectorGetters
{
    /// <summary>Copies <paramref name="values"/> into <paramref name="dst"/>, reusing its storage when it is large enough.</summary>
    public static void Write<T>(ref VBuffer<T> dst, ReadOnlySpan<T> values)
    {
        var editor = VBufferEditor.Create(ref dst, values.Length);
        values.CopyTo(editor.Values);
        dst = editor.Commit();
    }

    /// <summary>A getter of a vector of Single computed per row by <paramref name="values"/>.</summary>
    public static ValueGetter<VBuffer<float>> Floats(Func<float[]> values) => (ref VBuffer<float> dst) => Write(ref dst, values());

    /// <summary>A getter of a vector of Text computed per row by <paramref name="values"/>.</summary>
    public static ValueGetter<VBuffer<ReadOnlyMemory<char>>> Texts(Func<string[]> values) => (ref VBuffer<ReadOnlyMemory<char>> dst) =>
    {
        var v = values();
        var editor = VBufferEditor.Create(ref dst, v.Length);
        for (int i = 0; i < v.Length; i++)
            editor.Values[i] = v[i].AsMemory();
        dst = editor.Commit();
    };
}
