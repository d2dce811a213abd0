/*
 * Way (a) end to end, written by the MiniportTimers project: a C program that links our NDIS 6 miniport
 * (ndis6_timers.c), the shim and the NativeAOT library, runs it on the virtual clock through the C API, and checks the
 * report: three heartbeats of a coalescable 1 s timer in 3.5 s, named by their C function, the periodic timer
 * cancelled on halt, no bug check.
 * Exit code 0 on success.
 */
#include <stdio.h>
#include <string.h>
#include <mpt/host.h>

static int fail(MPT_HOST *host, const char *what)
{
    char error[512] = "";
    if (host != NULL) {
        mpt_host_last_error(host, error, sizeof error);
    }
    printf("host_main: FAILED: %s %s\n", what, error);
    return 1;
}

int main(void)
{
    MPT_HOST *host = mpt_host_create(1);
    if (host == NULL) {
        return fail(NULL, "mpt_host_create");
    }
    if (mpt_host_start_driver(host, MPT_STACK_NDIS) != 0) {
        return fail(host, "DriverEntry");
    }
    if (mpt_host_add_adapter(host) != 0) {
        return fail(host, "MiniportInitializeEx");
    }
    if (mpt_host_advance(host, 3500000) != 0) {
        return fail(host, "advance");
    }
    if (mpt_host_stop_adapter(host, 0) != 0) {
        return fail(host, "halt");
    }
    char report[4096];
    size_t length = mpt_host_report_json(host, report, sizeof report);
    if (length == 0 || length >= sizeof report) {
        return fail(host, "report");
    }
    printf("%s\n", report);
    int ok = strstr(report, "\"callback\":\"Heartbeat\",\"arms\":1,\"fires\":3") != NULL && strstr(report, "\"bugChecks\":[]") != NULL;
    mpt_host_destroy(host);
    if (!ok) {
        return fail(NULL, "the report is not what the driver did");
    }
    printf("host_main: PASS\n");
    return 0;
}
