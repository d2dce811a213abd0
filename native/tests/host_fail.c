/*
 * Way (a) with a DriverEntry that fails, written by the MiniportTimers project: mpt_host_start_driver returns the
 * status DriverEntry returned (native/include/mpt/host.h), not -1, and mpt_host_last_error names it.
 * Exit code 0 on success.
 */
#include <stdio.h>
#include <string.h>
#include <ndis.h>
#include <mpt/host.h>

NTSTATUS DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    UNREFERENCED_PARAMETER(DriverObject);
    UNREFERENCED_PARAMETER(RegistryPath);
    return STATUS_UNSUCCESSFUL;
}

int main(void)
{
    MPT_HOST *host = mpt_host_create(1);
    if (host == NULL) {
        printf("host_fail: FAILED: mpt_host_create\n");
        return 1;
    }
    int status = mpt_host_start_driver(host, MPT_STACK_NDIS);
    char error[512] = "";
    mpt_host_last_error(host, error, sizeof error);
    printf("host_fail: mpt_host_start_driver returned 0x%08X; last error: %s\n", (unsigned)status, error);
    int ok = status == (int)0xC0000001 && strstr(error, "DriverEntry returned 0xC0000001 (STATUS_UNSUCCESSFUL)") != NULL
        && mpt_host_add_adapter(host) == -1; /* no driver was bound */
    mpt_host_destroy(host);
    if (!ok) {
        printf("host_fail: FAILED: expected 0xC0000001, named in the last error\n");
        return 1;
    }
    printf("host_fail: PASS\n");
    return 0;
}
