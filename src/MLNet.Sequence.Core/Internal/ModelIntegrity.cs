using System.IO.Compression;
using System.IO.Hashing;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Runtime;

namespace MLNet.Sequence.Internal;

/// <summary>
/// Checks the bytes of a component's entries in an ML.NET model zip against the CRC-32 the zip recorded for
/// each. .NET's ZipArchive never compares them, so without this a flipped byte inside a compressed entry
/// (a damaged disk, a broken copy) would load and silently change every prediction. Each of this library's
/// loaders calls <see cref="VerifyEntries"/> first, so a damaged zip is refused before anything is read.
/// </summary>
internal static class ModelIntegrity
{
    // ML.NET keeps the archive private; the persistence tests fail by name if an upgrade moves it.
    private static readonly FieldInfo? s_archive = typeof(RepositoryReader).GetField("_archive", BindingFlags.NonPublic | BindingFlags.Instance);

    /// <summary>
    /// Verifies every entry of <paramref name="ctx"/>'s own directory (the component's model stream, its string
    /// table and its binary streams; not the sub-directories of nested components, which verify their own).
    /// Reads the copies ML.NET has extracted, or extracts them now, so nothing is decompressed twice.
    /// </summary>
    /// <exception cref="FormatException">An entry's bytes do not match its CRC-32.</exception>
    public static void VerifyEntries(ModelLoadContext ctx)
    {
        // A model inside a single stream (not a zip) has no CRCs to check.
        if (ctx.Repository is not RepositoryReader repository)
            return;
        var archive = s_archive?.GetValue(repository) as ZipArchive
            ?? throw Contracts.Except("This version of ML.NET keeps its model zip where MLNet.Sequence does not expect it; the zip's CRCs cannot be checked.");
        string directory = (ctx.Directory ?? "").Replace('\\', '/').Trim('/');
        string prefix = directory.Length == 0 ? "" : directory + "/";
        var buffer = new byte[1 << 20];
        foreach (var entry in archive.Entries)
        {
            string path = entry.FullName.Replace('\\', '/');
            if (!path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase) || path.IndexOf('/', prefix.Length) >= 0 || path.Length == prefix.Length)
                continue;
            uint crc = Checksum(repository, directory, path[prefix.Length..], buffer);
            Contracts.CheckDecode(crc == entry.Crc32, FormattableString.Invariant(
                $"The model zip's entry '{path}' is damaged: its bytes do not match the CRC-32 the zip recorded for them ({crc:X8}, recorded {entry.Crc32:X8}). The file changed after it was saved; save the model again."));
        }
    }

    private static uint Checksum(RepositoryReader repository, string directory, string name, byte[] buffer)
    {
        using var opened = repository.OpenEntry(directory.Length == 0 ? null : directory, name);
        var stream = opened.Stream;
        stream.Position = 0;
        var crc = new Crc32();
        int read;
        while ((read = stream.Read(buffer)) > 0)
            crc.Append(buffer.AsSpan(0, read));
        return crc.GetCurrentHashAsUInt32();
    }
}
