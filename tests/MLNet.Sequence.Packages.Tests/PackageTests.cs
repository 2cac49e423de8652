using System.Diagnostics;
using System.Text.Json;

namespace MLNet.Sequence.Packages.Tests;

/// <summary>
/// What a user installs, checked so that it never rots: the libraries are packed into a local folder, and fresh
/// apps outside the repository, which reference only those packages (and libtorch's natives), train, save and
/// load a model zip in a second process; another app also references Microsoft.ML.TorchSharp and must restore to
/// one TorchSharp and run our trainer.
/// </summary>
public sealed class PackageTests : IDisposable
{
    private static readonly string s_repo = FindRepository();
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "mlnet-seq-package-check", Guid.NewGuid().ToString("N"));
    // A version of its own, so that no package the NuGet cache holds from an earlier run is taken instead.
    private readonly string _version = $"0.0.0-check.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public PackageTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        Directory.Delete(_dir, recursive: true);
        string cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        foreach (var id in new[] { "mlnet.sequence.core", "mlnet.sequence.embeddings", "mlnet.sequence.torch" })
        {
            string extracted = Path.Combine(cache, id, _version);
            if (Directory.Exists(extracted))
                Directory.Delete(extracted, recursive: true);
        }
    }

    [Fact]
    public void PackagesTrainSaveAndLoadInFreshAppsAndShareOneTorchSharpWithMicrosoftMLTorchSharp()
    {
        var clock = Stopwatch.StartNew();
        string feed = Path.Combine(_dir, "feed");
        // The libraries as the test run built them (this assembly's configuration), packed without rebuilding.
        string configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
        foreach (var project in new[] { "Audio", "Core", "Embeddings", "Torch" })
            Dotnet(s_repo, "pack", $"src/MLNet.Sequence.{project}/MLNet.Sequence.{project}.csproj", "-c", configuration, "--no-build", "-o", feed, $"-p:PackageVersion={_version}");
        Assert.Equal(new[] { "Audio", "Core", "Embeddings", "Torch" }.Select(p => $"MLNet.Sequence.{p}.{_version}.nupkg"),
            Directory.GetFiles(feed).Select(Path.GetFileName).Order());

        // An app with the packages alone: train and save in one process, load in another, same outputs.
        string app = NewApp("TrainAndLoad", ("MLNet.Sequence.Torch", _version), ("libtorch-cpu-linux-x64", "2.10.0"));
        Dotnet(app, "build", "-c", "Release");
        string zip = Path.Combine(_dir, "model.zip");
        string trained = Dotnet(app, "run", "-c", "Release", "--no-build", "--", "train", zip);
        string loaded = Dotnet(app, "run", "-c", "Release", "--no-build", "--", "load", zip);
        Assert.Equal(trained, loaded);
        Assert.Matches(@"^accuracy (19\d|200)/200", trained);

        // With Microsoft.ML.TorchSharp 0.23.1 (compiled against TorchSharp 0.102.7) in the same app: one TorchSharp, ours.
        string both = NewApp("TrainAndLoad", ("MLNet.Sequence.Torch", _version), ("libtorch-cpu-linux-x64", "2.10.0"), ("Microsoft.ML.TorchSharp", "0.23.1"));
        Dotnet(both, "build", "-c", "Release");
        using var assets = JsonDocument.Parse(File.ReadAllText(Path.Combine(both, "obj", "project.assets.json")));
        var torchSharp = assets.RootElement.GetProperty("libraries").EnumerateObject().Select(p => p.Name)
            .Where(n => n.StartsWith("TorchSharp/", StringComparison.Ordinal)).ToArray();
        Assert.Equal(new[] { "TorchSharp/0.107.0" }, torchSharp);
        Assert.Contains(assets.RootElement.GetProperty("libraries").EnumerateObject(), p => p.Name == "Microsoft.ML.TorchSharp/0.23.1");
        Assert.Equal(trained, Dotnet(both, "run", "-c", "Release", "--no-build", "--", "train", Path.Combine(_dir, "both.zip")));
        Console.WriteLine($"package check: {clock.Elapsed.TotalSeconds:F0} s");
    }

    private string NewApp(string source, params (string Id, string Version)[] packages)
    {
        string dir = Path.Combine(_dir, $"app{Directory.GetDirectories(_dir).Length}");
        Directory.CreateDirectory(dir);
        // The machine's own sources stay; the local folder is added.
        File.WriteAllText(Path.Combine(dir, "NuGet.config"),
            $"<configuration><packageSources><add key=\"mlnet-seq-check\" value=\"{Path.Combine(_dir, "feed")}\" /></packageSources></configuration>");
        File.WriteAllText(Path.Combine(dir, "app.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <OutputType>Exe</OutputType>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
              </PropertyGroup>
              <ItemGroup>
            {string.Join(Environment.NewLine, packages.Select(p => $"    <PackageReference Include=\"{p.Id}\" Version=\"{p.Version}\" />"))}
              </ItemGroup>
            </Project>
            """);
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Apps", source + ".cs.txt"), Path.Combine(dir, "Program.cs"));
        return dir;
    }

    /// <summary>Runs dotnet in <paramref name="directory"/>; returns its output, or fails with it.</summary>
    private static string Dotnet(string directory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            psi.ArgumentList.Add(a);
        // The apps must not see the repository's build settings, nor a parent build's MSBuild state.
        psi.Environment.Remove("MSBuildExtensionsPath");
        psi.Environment.Remove("MSBUILD_EXE_PATH");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(600_000))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {string.Join(' ', args)} did not finish in 10 minutes.");
        }
        Assert.True(p.ExitCode == 0, $"dotnet {string.Join(' ', args)} failed ({p.ExitCode}):\n{stdout.Result}\n{stderr.Result}");
        return stdout.Result;
    }

    private static string FindRepository()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "MLNet.Sequence.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException("The package check runs from the repository's build output.");
    }
}
