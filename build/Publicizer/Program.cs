// Usage: Publicizer <input.dll> <output.dll>
// Makes every type, method and field of an assembly public so that code compiled against the copy can
// reach ML.NET's internal persistence API. The copy is a compile-time reference only; the running code
// reaches the real members through [IgnoresAccessChecksTo] (see src/MLNet.Sequence.Core/Internals).
using Mono.Cecil;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Publicizer <input.dll> <output.dll>");
    return 2;
}

var resolver = new DefaultAssemblyResolver();
resolver.AddSearchDirectory(Path.GetDirectoryName(Path.GetFullPath(args[0]))!);
using (var assembly = AssemblyDefinition.ReadAssembly(args[0], new ReaderParameters { AssemblyResolver = resolver }))
{
    foreach (var module in assembly.Modules)
    {
        foreach (var type in module.GetTypes())
            Publicize(type);
    }

    Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(args[1]))!);
    assembly.Write(args[1]);
}
return 0;

static void Publicize(TypeDefinition type)
{
    if (type.IsNested)
        type.IsNestedPublic = true;
    else
        type.IsPublic = true;

    // Private members stay private: nothing needs them, and public copies would clash with the names of
    // derived classes' own members (CS0108). Internal and protected ones become public; overriding one
    // then needs 'public override' in our code, which the runtime accepts (widened accessibility).
    foreach (var method in type.Methods)
    {
        if (!method.IsPrivate)
            method.IsPublic = true;
    }

    foreach (var field in type.Fields)
    {
        if (!field.IsPrivate)
            field.IsPublic = true;
    }
}
