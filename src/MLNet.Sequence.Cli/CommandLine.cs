using System.Globalization;

namespace MLNet.Sequence.Cli;

/// <summary>Thrown for a command line that cannot run; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>
/// Flags in word2vec.c's style: <c>-name value</c>, plus positional arguments. Every flag a command
/// does not read is reported, so a typo never passes silently.
/// </summary>
internal sealed class CommandLine
{
    private readonly Dictionary<string, string> _flags = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);
    private readonly List<string> _positional = new();

    public CommandLine(IEnumerable<string> args)
    {
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (a.Length > 1 && a[0] == '-' && !double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                string name = a.TrimStart('-');
                if (i + 1 >= list.Count)
                    throw new UsageException($"Flag -{name} needs a value.");
                if (!_flags.TryAdd(name, list[++i]))
                    throw new UsageException($"Flag -{name} is given twice.");
            }
            else
            {
                _positional.Add(a);
            }
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    public string? String(string name)
    {
        _used.Add(name);
        return _flags.TryGetValue(name, out var v) ? v : null;
    }

    public string RequiredString(string name, string what) =>
        String(name) ?? throw new UsageException($"Missing -{name} ({what}).");

    public int Int(string name, int fallback, int min = int.MinValue)
    {
        var s = String(name);
        if (s == null)
            return fallback;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"-{name} expects a whole number, got '{s}'.");
        if (v < min)
            throw new UsageException($"-{name} must be at least {min}, got {v}.");
        return v;
    }

    public double Double(string name, double fallback)
    {
        var s = String(name);
        if (s == null)
            return fallback;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"-{name} expects a number, got '{s}'.");
        return v;
    }

    public bool Bool(string name, bool fallback)
    {
        var s = String(name);
        return s switch
        {
            null => fallback,
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw new UsageException($"-{name} expects 0 or 1, got '{s}'."),
        };
    }

    /// <summary>Throws if a flag was given that the command never read.</summary>
    public void CheckAllUsed(string command)
    {
        var unknown = _flags.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"'{command}' does not know {string.Join(", ", unknown.Select(u => "-" + u))}. Run 'mlnet-seq help'.");
    }
}
