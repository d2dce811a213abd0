using System.Diagnostics.CodeAnalysis;

namespace MiniportTimers.Kernel;

/// <summary>
/// Where every bug check comes from: the only code that constructs a <see cref="BugCheckException"/> (an architecture
/// test holds every other file to it). The codes and what their parameters mean are <see cref="BugCheckCodes.Table"/>;
/// whether a misuse is a bug check at all (the verifier's decision) is <see cref="VerifierDecision"/>.
/// </summary>
internal static class BugCheck
{
    /// <summary>The bug check <paramref name="code"/> with its four parameters (as KeBugCheckEx takes them), to throw or to record.</summary>
    /// <param name="code">A code of <see cref="BugCheckCodes"/>, or any code a native driver passed to KeBugCheckEx.</param>
    /// <param name="parameter1">P1, as <see cref="BugCheckCodes.Describe"/> says for the code.</param>
    /// <param name="parameter2">P2.</param>
    /// <param name="parameter3">P3.</param>
    /// <param name="parameter4">P4.</param>
    /// <param name="detail">What the emulation saw, in words.</param>
    /// <param name="inner">The managed exception behind a KMODE_EXCEPTION_NOT_HANDLED, if any.</param>
    public static BugCheckException Create(uint code, ulong parameter1, ulong parameter2, ulong parameter3, ulong parameter4, string detail, Exception? inner = null) =>
        new(code, parameter1, parameter2, parameter3, parameter4, detail, inner);

    /// <summary>Throws the bug check <see cref="Create"/> makes.</summary>
    /// <exception cref="BugCheckException">Always.</exception>
    [DoesNotReturn]
    public static void Raise(uint code, ulong parameter1, ulong parameter2, ulong parameter3, ulong parameter4, string detail) =>
        throw Create(code, parameter1, parameter2, parameter3, parameter4, detail);

    /// <summary>KMODE_EXCEPTION_NOT_HANDLED (0x1E) for a managed exception that escaped kernel-mode code: P1 <see cref="BugCheckCodes.ClrExceptionCode"/>.</summary>
    public static BugCheckException Unhandled(Exception exception, string detail) =>
        Create(BugCheckCodes.KMODE_EXCEPTION_NOT_HANDLED, BugCheckCodes.ClrExceptionCode, 0, 0, 0, detail, exception);
}
