namespace MLNet.Sequence.Internal;

/// <summary>Messages of inner exceptions, as they read inside another message.</summary>
internal static class ExceptionText
{
    /// <summary>The message without the " (Parameter 'x')" that ArgumentException appends.</summary>
    public static string PlainMessage(this ArgumentException e) =>
        e.ParamName == null ? e.Message : e.Message.Replace($" (Parameter '{e.ParamName}')", "", StringComparison.Ordinal);
}
