using System.Globalization;
using System.Text;

namespace MLNet.Sequence.Cli;

/// <summary>Thrown for a command line that cannot run; the message says what to change.</summary>
internal sealed class UsageException(string message) : Exception(message);

/// <summary>What kind of value a flag takes.</summary>
internal enum FlagKind
{
    Text,
    Int,
    Number,
    Bool,
}

/// <summary>
/// A flag a command declares, in word2vec.c's style (<c>-name value</c>): its value's kind, its default and its
/// help. The help text is made from the declarations, and a command can read only the flags it declares, so the
/// two cannot drift apart.
/// </summary>
internal sealed record Flag(string Name, FlagKind Kind, object? Default, string Help, string? Shown = null, double Minimum = double.MinValue, string[]? Choices = null)
{
    public static Flag Text(string name, string value, string help, string? @default = null) => new(name, FlagKind.Text, @default, help, @default ?? value);

    public static Flag Required(string name, string value, string help) => new(name, FlagKind.Text, null, help + " (required)", value);

    public static Flag Choice(string name, string @default, string help, params string[] choices) =>
        new(name, FlagKind.Text, @default, $"{help}: {string.Join(" | ", choices)}", @default, Choices: choices);

    public static Flag Int(string name, int @default, string help, int minimum = int.MinValue) => new(name, FlagKind.Int, @default, help, null, minimum);

    /// <summary>An int flag whose default depends on other flags or the machine; <paramref name="shown"/> says what it is.</summary>
    public static Flag Int(string name, string shown, string help, int minimum = int.MinValue) => new(name, FlagKind.Int, null, help, shown, minimum);

    public static Flag Number(string name, double @default, string help) => new(name, FlagKind.Number, @default, help);

    public static Flag Number(string name, string shown, string help) => new(name, FlagKind.Number, null, help, shown);

    public static Flag Bool(string name, bool @default, string help) => new(name, FlagKind.Bool, @default, help);

    /// <summary>How the value appears in the help: the default, or what stands for it.</summary>
    public string ShownValue => Shown ?? Default switch
    {
        bool b => b ? "1" : "0",
        double d => d.ToString("G", CultureInfo.InvariantCulture),
        null => "",
        var v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? "",
    };
}

/// <summary>A command of mlnet-seq: its name, what it does, its positional arguments, its flags and its action.</summary>
internal sealed class Command
{
    public Command(string name, string summary, IEnumerable<Flag> flags, Func<Arguments, int> run, string positional = "")
    {
        Name = name;
        Summary = summary;
        Positional = positional;
        Flags = flags.ToList();
        var duplicate = Flags.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate != null)
            throw new InvalidOperationException($"Command '{name}' declares -{duplicate.Key} twice.");
        Run = run;
    }

    public string Name { get; }
    public string Summary { get; }
    public string Positional { get; }
    public IReadOnlyList<Flag> Flags { get; }
    public Func<Arguments, int> Run { get; }

    /// <summary>The command's help: a synopsis, then each flag with its default and what it does.</summary>
    public string Usage()
    {
        var required = Flags.Where(f => f.Default == null && f.Help.EndsWith("(required)", StringComparison.Ordinal)).Select(f => $"-{f.Name} {f.ShownValue}");
        var sb = new StringBuilder();
        sb.AppendLine($"mlnet-seq {Name} {string.Join(' ', new[] { Positional }.Concat(required).Where(s => s.Length > 0))} [flags]");
        sb.AppendLine($"  {Summary}");
        int width = Flags.Max(f => f.Name.Length + f.ShownValue.Length + 2);
        foreach (var f in Flags)
            sb.AppendLine($"    {$"-{f.Name} {f.ShownValue}".PadRight(width + 1)}  {f.Help}");
        return sb.ToString();
    }
}

/// <summary>
/// A command line parsed against a command's declared flags: every flag given must be declared, and a
/// handler reading a flag it did not declare is a bug reported as such.
/// </summary>
internal sealed class Arguments
{
    private readonly Command _command;
    private readonly Dictionary<string, string> _given = new(StringComparer.Ordinal);
    private readonly List<string> _positional = new();

    public Arguments(Command command, IEnumerable<string> args)
    {
        _command = command;
        var list = args.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            string a = list[i];
            if (a.Length > 1 && a[0] == '-' && !double.TryParse(a, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                string name = a.TrimStart('-');
                if (command.Flags.All(f => f.Name != name))
                    throw new UsageException($"'{command.Name}' does not know -{name}. Run 'mlnet-seq help {command.Name}' for its flags.");
                if (i + 1 >= list.Count)
                    throw new UsageException($"Flag -{name} needs a value.");
                if (!_given.TryAdd(name, list[++i]))
                    throw new UsageException($"Flag -{name} is given twice.");
            }
            else
            {
                _positional.Add(a);
            }
        }
    }

    public IReadOnlyList<string> Positional => _positional;

    /// <summary>Whether the flag was given.</summary>
    public bool Has(string name) => Declared(name) != null && _given.ContainsKey(name);

    public string? Text(string name)
    {
        var flag = Declared(name, FlagKind.Text);
        if (!_given.TryGetValue(name, out var value))
            return (string?)flag.Default;
        if (flag.Choices != null && !flag.Choices.Contains(value))
            throw new UsageException($"-{name} is {string.Join(", ", flag.Choices.SkipLast(1))} or {flag.Choices[^1]}, not '{value}'.");
        return value;
    }

    public string Required(string name) =>
        Text(name) ?? throw new UsageException($"Missing -{name} ({Declared(name).Help.Replace(" (required)", "", StringComparison.Ordinal)}).");

    /// <summary>An existing file named by the flag.</summary>
    public string ExistingFile(string name)
    {
        string path = Required(name);
        return File.Exists(path) ? path : throw new UsageException($"File '{path}' (-{name}) does not exist.");
    }

    public int Int(string name) => IntOrNull(name) ?? throw new InvalidOperationException($"-{name} has no default; read it with IntOrNull.");

    public int? IntOrNull(string name)
    {
        var flag = Declared(name, FlagKind.Int);
        if (!_given.TryGetValue(name, out var s))
            return (int?)flag.Default;
        if (!int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v))
            throw new UsageException($"-{name} expects a whole number, got '{s}'.");
        if (v < flag.Minimum)
            throw new UsageException($"-{name} must be at least {flag.Minimum}, got {v}.");
        return v;
    }

    public double Number(string name) => NumberOrNull(name) ?? throw new InvalidOperationException($"-{name} has no default; read it with NumberOrNull.");

    public double? NumberOrNull(string name)
    {
        var flag = Declared(name, FlagKind.Number);
        if (!_given.TryGetValue(name, out var s))
            return (double?)flag.Default;
        if (!double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            throw new UsageException($"-{name} expects a number, got '{s}'.");
        return v;
    }

    public bool Bool(string name)
    {
        var flag = Declared(name, FlagKind.Bool);
        if (!_given.TryGetValue(name, out var s))
            return (bool)flag.Default!;
        return s switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw new UsageException($"-{name} expects 0 or 1, got '{s}'."),
        };
    }

    private Flag Declared(string name, FlagKind? kind = null)
    {
        var flag = _command.Flags.FirstOrDefault(f => f.Name == name)
            ?? throw new InvalidOperationException($"Command '{_command.Name}' reads -{name} but does not declare it.");
        if (kind != null && flag.Kind != kind)
            throw new InvalidOperationException($"Command '{_command.Name}' declares -{name} as {flag.Kind} but reads it as {kind}.");
        return flag;
    }
}
