using System.IO.Compression;

namespace MLNet.Sequence.Tests;

/// <summary>Damages a model zip the way a bad disk or a broken copy would, for the integrity tests.</summary>
public static class ZipSurgery
{
    /// <summary>
    /// Stores the entry whose name ends with <paramref name="entrySuffix"/> uncompressed (its CRC still right),
    /// then XORs one byte of its data in the file with <paramref name="mask"/>, at <paramref name="at"/> (a position
    /// in the entry's content, chosen by the caller from that content), so that only its CRC can tell.
    /// Returns the entry's full name.
    /// </summary>
    public static string FlipByteInEntry(string zipPath, string entrySuffix, Func<byte[], int> at, byte mask = 0x10)
    {
        string name;
        byte[] content;
        using (var zip = ZipFile.Open(zipPath, ZipArchiveMode.Update))
        {
            var entry = zip.Entries.Single(e => e.FullName.EndsWith(entrySuffix, StringComparison.Ordinal));
            name = entry.FullName;
            using (var s = entry.Open())
            using (var m = new MemoryStream())
            {
                s.CopyTo(m);
                content = m.ToArray();
            }
            entry.Delete();
            using var w = zip.CreateEntry(name, CompressionLevel.NoCompression).Open();
            w.Write(content);
        }
        var bytes = File.ReadAllBytes(zipPath);
        int start = bytes.AsSpan().IndexOf(content);
        if (start < 0)
            throw new InvalidOperationException($"The stored entry '{name}' was not found verbatim in the zip.");
        bytes[start + at(content)] ^= mask;
        File.WriteAllBytes(zipPath, bytes);
        return name;
    }
}
