namespace MiniportTimers.Native.Interop;

/// <summary>
/// Marks a C# structure that mirrors a C structure of native/include: its size and every <c>FieldOffset</c> must equal
/// the C structure's <c>sizeof</c> and <c>offsetof</c>, as gcc computes them with native/toolchain.mk's flags. The
/// headers are the one source; NativeLayoutTests compiles a probe from these attributes and compares, so a mirror that
/// drifts from its header fails a test instead of corrupting memory.
/// </summary>
/// <param name="cName">The C type name (a typedef of native/include).</param>
[AttributeUsage(AttributeTargets.Struct, AllowMultiple = false)]
internal sealed class NativeMirrorAttribute(string cName) : Attribute
{
    /// <summary>The C type name.</summary>
    public string CName { get; } = cName;

    /// <summary>The C type the size is compared with when it differs from <see cref="CName"/>'s (null: the same), or "" when only offsets are compared (a prefix of a larger C structure).</summary>
    public string? SizeOf { get; init; }
}

/// <summary>The C member a mirrored field stands for when the names differ (an array element, a union member of another structure).</summary>
/// <param name="cMember">The member designator as <c>offsetof</c> takes it (e.g. "SrbExDataOffset", "Context.OldIrql").</param>
/// <param name="cType">The C type whose member it is, when not the structure's own (e.g. SCSI_PNP_REQUEST_BLOCK over a SCSI_REQUEST_BLOCK).</param>
[AttributeUsage(AttributeTargets.Field, AllowMultiple = false)]
internal sealed class NativeMemberAttribute(string cMember, string? cType = null) : Attribute
{
    /// <summary>The member designator.</summary>
    public string CMember { get; } = cMember;

    /// <summary>The C type the member belongs to, or null for the mirrored structure.</summary>
    public string? CType { get; } = cType;
}
