using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Internal;

/// <summary>
/// Checks, before a trainer allocates its weight tables, that rows x width values fit one .NET array and the
/// memory the process may use, so that an oversized option fails with its name instead of an
/// OverflowException or OutOfMemoryException from deep inside training.
/// </summary>
internal static class TableSize
{
    /// <param name="ectx">Where the error is raised.</param>
    /// <param name="rows">Rows of each table (words, tokens).</param>
    /// <param name="width">Values per row (the dimension).</param>
    /// <param name="option">The option that sets <paramref name="width"/>, named in the error.</param>
    /// <param name="what">What the tables are, for the message.</param>
    /// <param name="tables">How many such tables training keeps at once.</param>
    public static void Check(IExceptionContext ectx, long rows, long width, string option, string what, int tables = 1)
    {
        long values = rows * width; // both fit an int, so the product fits a long
        if (values > Array.MaxLength)
            throw ectx.ExceptUserArg(option, FormattableString.Invariant(
                $"{what}: {rows:N0} rows x {width:N0} = {values:N0} values, more than one array holds ({Array.MaxLength:N0}). Lower {option}."));
        double needed = (double)values * sizeof(float) * tables;
        double available = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
        if (needed > available)
            throw ectx.ExceptUserArg(option, FormattableString.Invariant(
                $"{what}: {tables} table(s) of {rows:N0} x {width:N0} values need {needed / (1L << 30):F1} GiB; this process may use {available / (1L << 30):F1} GiB. Lower {option}."));
    }
}
