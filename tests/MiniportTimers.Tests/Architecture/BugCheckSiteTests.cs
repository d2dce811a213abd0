using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using MiniportTimers.Kernel;
using MiniportTimers.Tests.Support;

namespace MiniportTimers.Tests.Architecture;

/// <summary>
/// Issue 26 §3: every bug check comes from one place. <c>Kernel/BugCheck.cs</c> is the only code of the library, the
/// bridge and the CLI that constructs a <see cref="BugCheckException"/> (<c>new BugCheckException(…)</c>, or a
/// target-typed <c>new(…)</c> where the target is one); the codes it raises are in <see cref="BugCheckCodes.Table"/>.
/// </summary>
public class BugCheckSiteTests
{
    private const string TheOneSite = "src/MiniportTimers/Kernel/BugCheck.cs";

    private static readonly string[] Projects = ["src/MiniportTimers", "src/MiniportTimers.Native", "src/MiniportTimers.Cli"];

    [Fact]
    public void NoCodeButBugCheckConstructsABugCheckException()
    {
        var sites = new List<string>();
        var files = 0;
        foreach (var project in Projects)
        {
            foreach (var file in Repository.SourceFiles(project))
            {
                files++;
                var path = $"{project}/{file}";
                var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(Repository.Root(), path)));
                foreach (var creation in tree.GetRoot().DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>())
                {
                    if (ConstructsABugCheck(creation) && path != TheOneSite)
                    {
                        sites.Add($"{path}:{creation.GetLocation().GetLineSpan().StartLinePosition.Line + 1}");
                    }
                }
            }
        }

        Assert.True(files > 200, $"only {files} source files were read: the walk no longer finds the sources");
        Assert.True(sites.Count == 0, $"construct a BugCheckException outside {TheOneSite} (use BugCheck.Create/Raise, or VerifierDecision for a misuse):\n  {string.Join("\n  ", sites)}");
    }

    [Fact]
    public void TheOneSiteIsSeen_SoTheWalkCanFail()
    {
        var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(Path.Combine(Repository.Root(), TheOneSite)));
        Assert.Contains(tree.GetRoot().DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>(), ConstructsABugCheck);
        foreach (var code in new[]
        {
            "class C { static BugCheckException Make() => new(1, 0, 0, 0, 0, \"x\"); }",
            "class C { static Kernel.BugCheckException? Make(bool b) { if (b) { return new(1, 0, 0, 0, 0, \"x\"); } return null; } }",
            "class C { void M() { BugCheckException b = new(1, 0, 0, 0, 0, \"x\"); throw b; } }",
            "class C { void M() => throw new MiniportTimers.Kernel.BugCheckException(1, 0, 0, 0, 0, \"x\"); }",
        })
        {
            Assert.Contains(CSharpSyntaxTree.ParseText(code).GetRoot().DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>(), ConstructsABugCheck);
        }

        var other = CSharpSyntaxTree.ParseText("class C { static Exception Make() => new(\"x\"); System.Func<BugCheckException> F = () => new InvalidOperationException(); }");
        Assert.DoesNotContain(other.GetRoot().DescendantNodes().OfType<BaseObjectCreationExpressionSyntax>(), ConstructsABugCheck);
    }

    [Fact]
    public void EveryCodeOfTheTable_HasItsWindowsName_AndWhatItsFourParametersCarry()
    {
        Assert.Equal(BugCheckCodes.Table.Length, BugCheckCodes.Table.Select(r => r.Code).Distinct().Count());
        var constants = typeof(BugCheckCodes).GetFields().Where(f => f.IsLiteral && f.FieldType == typeof(uint)).ToDictionary(f => f.Name, f => (uint)f.GetRawConstantValue()!);
        foreach (var row in BugCheckCodes.Table)
        {
            Assert.Equal(row.Code, constants[row.Name]); // the name is the constant's, which is Windows' spelling
            Assert.Equal(row.Name, BugCheckCodes.Name(row.Code));
            Assert.All(new[] { row.Parameter1, row.Parameter2, row.Parameter3, row.Parameter4 }, p => Assert.False(string.IsNullOrWhiteSpace(p)));
        }

        // Every constant that is a bug check code (not the exception and status codes beside them) is in the table.
        Assert.All(constants.Where(c => c.Key is not nameof(BugCheckCodes.ClrExceptionCode) and not nameof(BugCheckCodes.STATUS_ACCESS_VIOLATION)), c => Assert.NotNull(BugCheckCodes.Describe(c.Value)));
        Assert.Equal("0x7C", BugCheckCodes.Name(0x7C)); // a code a native driver may raise itself: its hex form
    }

    private static bool ConstructsABugCheck(BaseObjectCreationExpressionSyntax creation) => creation switch
    {
        ObjectCreationExpressionSyntax { Type: var type } => LastName(type) == nameof(BugCheckException),
        ImplicitObjectCreationExpressionSyntax implicitNew => TargetTypeName(implicitNew) == nameof(BugCheckException),
        _ => false,
    };

    /// <summary>The declared type a target-typed <c>new(…)</c> takes its type from, as far as syntax tells (null: not declared at the expression).</summary>
    private static string? TargetTypeName(ImplicitObjectCreationExpressionSyntax creation)
    {
        for (SyntaxNode? node = creation.Parent; node is not null; node = node.Parent)
        {
            switch (node)
            {
                case VariableDeclarationSyntax v:
                    return LastName(v.Type);
                case ReturnStatementSyntax or ArrowExpressionClauseSyntax:
                    return ReturnTypeName(node);
                case ArgumentSyntax or AssignmentExpressionSyntax or StatementSyntax or AnonymousFunctionExpressionSyntax:
                    return null;
                default:
                    break;
            }
        }

        return null;
    }

    private static string? ReturnTypeName(SyntaxNode node)
    {
        foreach (var ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax:
                    return null;
                case MethodDeclarationSyntax m:
                    return LastName(m.ReturnType);
                case LocalFunctionStatementSyntax f:
                    return LastName(f.ReturnType);
                case PropertyDeclarationSyntax p:
                    return LastName(p.Type);
                default:
                    break;
            }
        }

        return null;
    }

    private static string LastName(TypeSyntax type) => type switch
    {
        NullableTypeSyntax n => LastName(n.ElementType),
        QualifiedNameSyntax q => q.Right.Identifier.ValueText,
        SimpleNameSyntax s => s.Identifier.ValueText,
        _ => type.ToString(),
    };
}
