namespace MiniportTimers.Kernel;

/// <summary>
/// The verifier's one decision, for every misuse of both stacks and of the Ke/Ex layer: with the verifier on, the
/// misuse's bug check; with it off, the answer <see cref="Misuses"/> writes beside it (a finding the host records, and
/// what the call then does: the documented status value or what Windows without Driver Verifier does). A misuse whose
/// row says <see cref="VerifierOffAnswer.SameBugCheck"/> is checked by Windows itself, so it is the bug check either way.
/// </summary>
/// <remarks>
/// It lives in Kernel, the lowest layer that has the setting (<see cref="KernelHostOptions.Verifier"/>), so Ke/Ex objects
/// use it directly (<see cref="InKernel"/>, findings through the thread's <see cref="KernelScope.FindingSink"/>) and the
/// hosts' <c>MiniportHost.Misuse</c> and <c>TeardownMisuse</c> call <see cref="Decide"/>. Thread safety: stateless.
/// </remarks>
internal static class VerifierDecision
{
    /// <summary>
    /// The decision: the bug check to raise (verifier on, or a misuse Windows always checks), or null when the caller
    /// gives the table's verifier-off answer. No host options (a bare <see cref="Ke.UseEngine"/> scope) counts as on, the
    /// default.
    /// </summary>
    /// <param name="options">The host's options; null outside a host.</param>
    /// <param name="misuse">The row of <see cref="Misuses"/>: its code and P1.</param>
    /// <param name="parameter2">P2, as the row says.</param>
    /// <param name="parameter3">P3.</param>
    /// <param name="parameter4">P4.</param>
    /// <param name="detail">The bug check's detail text.</param>
    public static BugCheckException? Decide(KernelHostOptions? options, Misuse misuse, ulong parameter2, ulong parameter3, ulong parameter4, string detail) =>
        options is not { Verifier: false } || misuse.Off == VerifierOffAnswer.SameBugCheck
            ? BugCheck.Create(misuse.Code, misuse.Parameter1, parameter2, parameter3, parameter4, detail)
            : null;

    /// <summary>
    /// The decision for Kernel-layer objects (KTIMER, KDPC), in the calling thread's scope: throws the bug check, or
    /// records <paramref name="finding"/> under the row's name through the scope's finding sink and returns.
    /// </summary>
    /// <exception cref="BugCheckException">The misuse's bug check, with the verifier on.</exception>
    public static void InKernel(Misuse misuse, string detail, string finding)
    {
        var scope = KernelContext.Current;
        if (Decide(scope?.HostOptions, misuse, 0, 0, 0, detail) is { } bugCheck)
        {
            throw bugCheck;
        }

        scope?.FindingSink?.Invoke(misuse.Name, finding);
    }
}

/// <summary>What a misuse gets with the verifier off.</summary>
internal enum VerifierOffAnswer
{
    /// <summary>A finding under the row's name; the call goes on as <see cref="Misuse.OffAnswer"/> says.</summary>
    Finding,

    /// <summary>The same bug check: Windows checks it in the routine itself, with or without Driver Verifier.</summary>
    SameBugCheck,
}

/// <summary>
/// A row of <see cref="Misuses"/>: a misuse the verifier decides. <paramref name="Name"/> is the finding's rule with the
/// verifier off; <paramref name="Code"/> and <paramref name="Parameter1"/> the bug check with it on (P1 of 0xC4 is the
/// <see cref="VerifierRules"/> number; of 0xC7, 0 timer or 1 DPC); <paramref name="Parameters"/> what P2-P4 carry;
/// <paramref name="OffAnswer"/> what the call does with the verifier off.
/// </summary>
internal sealed record Misuse(string Name, uint Code, ulong Parameter1, string Parameters, VerifierOffAnswer Off, string OffAnswer);
