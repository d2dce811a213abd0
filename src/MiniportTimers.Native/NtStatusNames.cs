namespace MiniportTimers.Native;

/// <summary>
/// The header names of the NTSTATUS, NDIS_STATUS and STOR_STATUS values a driver routine commonly returns, for
/// messages ("DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)"). An NDIS_STATUS that is an NTSTATUS
/// (NDIS_STATUS_FAILURE is STATUS_UNSUCCESSFUL) is named as the NTSTATUS.
/// </summary>
internal static class NtStatusNames
{
    private static readonly Dictionary<uint, string> Names = new()
    {
        [0x00000000] = "STATUS_SUCCESS",
        [0x00000103] = "STATUS_PENDING",
        [0x00010001] = "NDIS_STATUS_NOT_RECOGNIZED",
        [0x00010002] = "NDIS_STATUS_NOT_COPIED",
        [0x00010003] = "NDIS_STATUS_NOT_ACCEPTED",
        [0x80000005] = "STATUS_BUFFER_OVERFLOW",
        [0xC0000001] = "STATUS_UNSUCCESSFUL",
        [0xC0000002] = "STATUS_NOT_IMPLEMENTED",
        [0xC0000004] = "STATUS_INFO_LENGTH_MISMATCH",
        [0xC0000005] = "STATUS_ACCESS_VIOLATION",
        [0xC0000008] = "STATUS_INVALID_HANDLE",
        [0xC000000D] = "STATUS_INVALID_PARAMETER",
        [0xC000000E] = "STATUS_NO_SUCH_DEVICE",
        [0xC0000010] = "STATUS_INVALID_DEVICE_REQUEST",
        [0xC0000017] = "STATUS_NO_MEMORY",
        [0xC0000022] = "STATUS_ACCESS_DENIED",
        [0xC0000023] = "STATUS_BUFFER_TOO_SMALL",
        [0xC0000034] = "STATUS_OBJECT_NAME_NOT_FOUND",
        [0xC0000059] = "STATUS_REVISION_MISMATCH",
        [0xC0000095] = "STATUS_INTEGER_OVERFLOW",
        [0xC000009A] = "STATUS_INSUFFICIENT_RESOURCES",
        [0xC000009D] = "STATUS_DEVICE_NOT_CONNECTED",
        [0xC00000A3] = "STATUS_DEVICE_NOT_READY",
        [0xC00000B5] = "STATUS_IO_TIMEOUT",
        [0xC00000BB] = "STATUS_NOT_SUPPORTED",
        [0xC00000C0] = "STATUS_DEVICE_DOES_NOT_EXIST",
        [0xC00000E5] = "STATUS_INTERNAL_ERROR",
        [0xC0000120] = "STATUS_CANCELLED",
        [0xC0000182] = "STATUS_DEVICE_CONFIGURATION_ERROR",
        [0xC0000184] = "STATUS_INVALID_DEVICE_STATE",
        [0xC0000185] = "STATUS_IO_DEVICE_ERROR",
        [0xC0000225] = "STATUS_NOT_FOUND",
        [0xC0000420] = "STATUS_ASSERTION_FAILURE",
        [0xC0010002] = "NDIS_STATUS_CLOSING",
        [0xC0010004] = "NDIS_STATUS_BAD_VERSION",
        [0xC0010005] = "NDIS_STATUS_BAD_CHARACTERISTICS",
        [0xC0010006] = "NDIS_STATUS_ADAPTER_NOT_FOUND",
        [0xC0010008] = "NDIS_STATUS_DEVICE_FAILED",
        [0xC0010011] = "NDIS_STATUS_ADAPTER_NOT_READY",
        [0xC0010014] = "NDIS_STATUS_INVALID_LENGTH",
        [0xC0010015] = "NDIS_STATUS_INVALID_DATA",
        [0xC0010016] = "NDIS_STATUS_BUFFER_TOO_SHORT",
        [0xC0010017] = "NDIS_STATUS_INVALID_OID",
        [0xC0010018] = "NDIS_STATUS_ADAPTER_REMOVED",
        [0xC0010019] = "NDIS_STATUS_UNSUPPORTED_MEDIA",
        [0xC001001B] = "NDIS_STATUS_FILE_NOT_FOUND",
        [0xC0010022] = "NDIS_STATUS_INVALID_ADDRESS",
        [0xC023000C] = "NDIS_STATUS_SEND_ABORTED",
        [0xC023001F] = "NDIS_STATUS_MEDIA_DISCONNECTED",
        [0xC023002A] = "NDIS_STATUS_PAUSED",
        [0xC023002B] = "NDIS_STATUS_INTERFACE_NOT_FOUND",
        [0xC023002D] = "NDIS_STATUS_INVALID_PORT",
        [0xC023002E] = "NDIS_STATUS_INVALID_PORT_STATE",
        [0xC023002F] = "NDIS_STATUS_LOW_POWER_STATE",
    };

    /// <summary>The header name of <paramref name="status"/>, or null when it is not a common one.</summary>
    public static string? Name(uint status) =>
        Names.TryGetValue(status, out var name) ? name
            : MiniportTimers.Storport.StorPort.StorStatusName(status) is var stor && !stor.StartsWith("0x", StringComparison.Ordinal) ? stor
            : null;

    /// <summary>"0xC0000001 (STATUS_UNSUCCESSFUL)", or "0xC0ABCDEF" for a value without a name here.</summary>
    public static string Describe(uint status) => Name(status) is { } name ? $"0x{status:X8} ({name})" : $"0x{status:X8}";

    /// <summary>NT_SUCCESS: success and informational values (the severity bits 00 or 01); warnings and errors fail.</summary>
    public static bool IsSuccess(uint status) => unchecked((int)status) >= 0;
}
