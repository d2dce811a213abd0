/*
 * MiniportTimers: a stand-in for the <debug.h> of the pcnet driver's own build environment (issue 23), written for
 * native/real-drivers/pcnet.mk from what its macros do (none of that project's text): DPRINT prints only when the file did not define NDEBUG before including
 * it, DPRINT1 always prints, both through DbgPrint with the file and line first; ASSERT_IRQL_EQUAL and
 * ASSERT_IRQL_LESS_OR_EQUAL check the caller's IRQL as ASSERT does (a failure is the host's assertion bug check).
 * Only the pcnet build puts this folder on its include path.
 */
#pragma once

#include <wdm.h>

#define MPT_REACTOS_DPRINT(...) DbgPrint("(%s:%d) ", __FILE__, __LINE__), DbgPrint(__VA_ARGS__)

#undef DPRINT
#undef DPRINT1
#ifdef NDEBUG
#define DPRINT(...) do { if (0) { MPT_REACTOS_DPRINT(__VA_ARGS__); } } while (0)
#else
#define DPRINT(...) do { MPT_REACTOS_DPRINT(__VA_ARGS__); } while (0)
#endif
#define DPRINT1(...) do { MPT_REACTOS_DPRINT(__VA_ARGS__); } while (0)
#define DPRINTF DPRINT
#define UNIMPLEMENTED DPRINT1("%s is unimplemented\n", __func__)

#ifndef ASSERT_IRQL_EQUAL
#define ASSERT_IRQL_EQUAL(Irql) ASSERT(KeGetCurrentIrql() == (Irql))
#endif
#ifndef ASSERT_IRQL_LESS_OR_EQUAL
#define ASSERT_IRQL_LESS_OR_EQUAL(Irql) ASSERT(KeGetCurrentIrql() <= (Irql))
#endif
