/*
 * MiniportTimers: NDIS configuration in C (plain data-structure work; ndis/services.h). Each NdisHandle (the adapter
 * handle a miniport opens its configuration with) has an in-memory registry: empty at first, written by
 * NdisWriteConfiguration, kept for the process. A keyword that was never written reads as NDIS_STATUS_FAILURE, which
 * every driver handles by using its default: the emulation answers as a freshly installed adapter's registry would.
 *
 * Synchronization: a process-wide mutex guards the registries (configuration is read at PASSIVE_LEVEL).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#define MPT_SHIM 1
#include <ndis.h>

typedef struct mpt_value {
    struct mpt_value *Next;
    NDIS_HANDLE Owner;
    WCHAR *Keyword;                      /* upper-cased: keywords are case-insensitive */
    USHORT KeywordLength;                /* bytes */
    NDIS_PARAMETER_TYPE Type;
    ULONG Integer;
    USHORT DataLength;                   /* bytes of Data: string or binary */
    UCHAR Data[];
} mpt_value;

typedef struct mpt_config {
    NDIS_HANDLE Owner;
    struct mpt_read *Reads;              /* parameters handed out; valid until NdisCloseConfiguration */
} mpt_config;

typedef struct mpt_read {
    struct mpt_read *Next;
    NDIS_CONFIGURATION_PARAMETER Parameter;
    UCHAR Data[];
} mpt_read;

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static mpt_value *g_values;

static WCHAR mpt_upper(WCHAR c) { return (c >= L'a' && c <= L'z') ? (WCHAR)(c - 32) : c; }

static BOOLEAN mpt_same(const mpt_value *v, NDIS_HANDLE owner, PCUNICODE_STRING keyword)
{
    if (v->Owner != owner || v->KeywordLength != keyword->Length) {
        return FALSE;
    }
    for (USHORT i = 0; i < keyword->Length / sizeof(WCHAR); i++) {
        if (v->Keyword[i] != mpt_upper(keyword->Buffer[i])) {
            return FALSE;
        }
    }
    return TRUE;
}

NDIS_STATUS NdisOpenConfigurationEx(PNDIS_CONFIGURATION_OBJECT ConfigObject, PNDIS_HANDLE ConfigurationHandle)
{
    if (ConfigObject == NULL || ConfigurationHandle == NULL || ConfigObject->Header.Type != NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT
        || ConfigObject->Header.Size < NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1 || ConfigObject->NdisHandle == NULL) {
        return NDIS_STATUS_INVALID_PARAMETER;
    }
    mpt_config *config = calloc(1, sizeof *config);
    if (config == NULL) {
        return NDIS_STATUS_RESOURCES;
    }
    config->Owner = ConfigObject->NdisHandle;
    *ConfigurationHandle = config;
    return NDIS_STATUS_SUCCESS;
}

VOID NdisCloseConfiguration(NDIS_HANDLE ConfigurationHandle)
{
    mpt_config *config = ConfigurationHandle;
    for (struct mpt_read *r = config->Reads, *next; r != NULL; r = next) {
        next = r->Next;
        free(r);
    }
    free(config);
}

VOID NdisReadConfiguration(PNDIS_STATUS Status, PNDIS_CONFIGURATION_PARAMETER *ParameterValue, NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword, NDIS_PARAMETER_TYPE ParameterType)
{
    mpt_config *config = ConfigurationHandle;
    *Status = NDIS_STATUS_FAILURE;
    *ParameterValue = NULL;
    pthread_mutex_lock(&g_lock);
    mpt_value *v = g_values;
    while (v != NULL && !mpt_same(v, config->Owner, Keyword)) {
        v = v->Next;
    }
    mpt_read *read = v == NULL ? NULL : calloc(1, sizeof *read + v->DataLength + sizeof(WCHAR));
    if (read != NULL) {
        read->Parameter.ParameterType = v->Type;
        memcpy(read->Data, v->Data, v->DataLength);
        if (v->Type == NdisParameterInteger || v->Type == NdisParameterHexInteger) {
            read->Parameter.ParameterData.IntegerData = v->Integer;
        } else if (v->Type == NdisParameterBinary) {
            read->Parameter.ParameterData.BinaryData.Length = v->DataLength;
            read->Parameter.ParameterData.BinaryData.Buffer = read->Data;
        } else {
            read->Parameter.ParameterData.StringData.Length = v->DataLength;
            read->Parameter.ParameterData.StringData.MaximumLength = (USHORT)(v->DataLength + sizeof(WCHAR));
            read->Parameter.ParameterData.StringData.Buffer = (PWCH)read->Data;
        }
        read->Next = config->Reads;
        config->Reads = read;
        *ParameterValue = &read->Parameter;
        *Status = NDIS_STATUS_SUCCESS;
    }
    pthread_mutex_unlock(&g_lock);
    (void)ParameterType; /* NDIS returns the stored type whatever was asked, as Windows does for binary and strings */
}

VOID NdisWriteConfiguration(PNDIS_STATUS Status, NDIS_HANDLE ConfigurationHandle, PNDIS_STRING Keyword, PNDIS_CONFIGURATION_PARAMETER ParameterValue)
{
    mpt_config *config = ConfigurationHandle;
    USHORT dataLength = 0;
    const void *data = NULL;
    switch (ParameterValue->ParameterType) {
    case NdisParameterInteger:
    case NdisParameterHexInteger:
        break;
    case NdisParameterBinary:
        dataLength = ParameterValue->ParameterData.BinaryData.Length;
        data = ParameterValue->ParameterData.BinaryData.Buffer;
        break;
    case NdisParameterString:
    case NdisParameterMultiString:
        dataLength = ParameterValue->ParameterData.StringData.Length;
        data = ParameterValue->ParameterData.StringData.Buffer;
        break;
    default:
        *Status = NDIS_STATUS_NOT_SUPPORTED;
        return;
    }
    mpt_value *v = calloc(1, sizeof *v + dataLength);
    WCHAR *keyword = v == NULL ? NULL : malloc(Keyword->Length + sizeof(WCHAR));
    if (keyword == NULL) {
        free(v);
        *Status = NDIS_STATUS_RESOURCES;
        return;
    }
    for (USHORT i = 0; i < Keyword->Length / sizeof(WCHAR); i++) {
        keyword[i] = mpt_upper(Keyword->Buffer[i]);
    }
    v->Owner = config->Owner;
    v->Keyword = keyword;
    v->KeywordLength = Keyword->Length;
    v->Type = ParameterValue->ParameterType;
    v->Integer = ParameterValue->ParameterData.IntegerData;
    v->DataLength = dataLength;
    if (dataLength != 0) {
        memcpy(v->Data, data, dataLength);
    }
    pthread_mutex_lock(&g_lock);
    for (mpt_value **p = &g_values; *p != NULL; p = &(*p)->Next) {
        if (mpt_same(*p, config->Owner, Keyword)) {
            mpt_value *old = *p;
            *p = old->Next;
            free(old->Keyword);
            free(old);
            break;
        }
    }
    v->Next = g_values;
    g_values = v;
    pthread_mutex_unlock(&g_lock);
    *Status = NDIS_STATUS_SUCCESS;
}

/* NetworkAddress: a string of 12 hex digits (the Advanced tab's form), or 6 binary bytes. */
VOID NdisReadNetworkAddress(PNDIS_STATUS Status, PVOID *NetworkAddress, PUINT NetworkAddressLength, NDIS_HANDLE ConfigurationHandle)
{
    static const WCHAR name[] = L"NetworkAddress";
    NDIS_STRING keyword = { sizeof name - sizeof(WCHAR), sizeof name, (PWCH)name };
    PNDIS_CONFIGURATION_PARAMETER p;
    *NetworkAddress = NULL;
    *NetworkAddressLength = 0;
    NdisReadConfiguration(Status, &p, ConfigurationHandle, &keyword, NdisParameterString);
    if (*Status != NDIS_STATUS_SUCCESS) {
        return;
    }
    *Status = NDIS_STATUS_FAILURE;
    if (p->ParameterType == NdisParameterBinary && p->ParameterData.BinaryData.Length == ETH_LENGTH_OF_ADDRESS) {
        *NetworkAddress = p->ParameterData.BinaryData.Buffer;
    } else if (p->ParameterType == NdisParameterString && p->ParameterData.StringData.Length == 12 * sizeof(WCHAR)) {
        PUCHAR out = (PUCHAR)p->ParameterData.StringData.Buffer; /* converted in place: 12 WCHARs hold 6 bytes */
        UCHAR bytes[ETH_LENGTH_OF_ADDRESS];
        for (int i = 0; i < 12; i++) {
            WCHAR c = mpt_upper(p->ParameterData.StringData.Buffer[i]);
            int digit = (c >= L'0' && c <= L'9') ? c - L'0' : (c >= L'A' && c <= L'F') ? c - L'A' + 10 : -1;
            if (digit < 0) {
                return;
            }
            bytes[i / 2] = (UCHAR)((i % 2 == 0) ? digit << 4 : (bytes[i / 2] | digit));
        }
        memcpy(out, bytes, sizeof bytes);
        *NetworkAddress = out;
    } else {
        return;
    }
    *NetworkAddressLength = ETH_LENGTH_OF_ADDRESS;
    *Status = NDIS_STATUS_SUCCESS;
}

VOID NdisMGetDeviceProperty(NDIS_HANDLE MiniportAdapterHandle, PDEVICE_OBJECT *PhysicalDeviceObject, PDEVICE_OBJECT *FunctionalDeviceObject, PDEVICE_OBJECT *NextDeviceObject, PVOID AllocatedResources, PVOID AllocatedResourcesTranslated)
{
    (void)MiniportAdapterHandle;
    (void)AllocatedResources;
    (void)AllocatedResourcesTranslated;
    if (PhysicalDeviceObject != NULL) *PhysicalDeviceObject = NULL;
    if (FunctionalDeviceObject != NULL) *FunctionalDeviceObject = NULL;
    if (NextDeviceObject != NULL) *NextDeviceObject = NULL;
}
