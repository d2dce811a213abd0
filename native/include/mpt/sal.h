/* MiniportTimers: SAL annotations as empty macros. gcc has no use for them; drivers keep theirs. */
#pragma once

#define _In_
#define _In_opt_
#define _Out_
#define _Out_opt_
#define _Inout_
#define _Inout_opt_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _In_reads_opt_(n)
#define _Out_writes_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Inout_updates_(n)
#define _Inout_updates_bytes_(n)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Must_inspect_result_
#define _Check_return_
#define _Success_(x)
#define _Use_decl_annotations_
#define _Analysis_assume_(x)
#define _IRQL_requires_(x)
#define _IRQL_requires_max_(x)
#define _IRQL_requires_min_(x)
#define _IRQL_requires_same_
#define _IRQL_raises_(x)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_always_function_min_(x)
#define _IRQL_always_function_max_(x)
#define _Requires_lock_held_(x)
#define _Requires_lock_not_held_(x)
#define _Acquires_lock_(x)
#define _Releases_lock_(x)
#define _Function_class_(x)
#define _When_(c, a)
#define _At_(t, a)
#define _Field_size_(n)
#define _Field_size_bytes_(n)
#define _Null_terminated_
#define _Printf_format_string_
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Post_satisfies_(x)
#define _Pre_satisfies_(x)
#define _Reserved_
#define __drv_aliasesMem
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_requiresIRQL(x)
#define __drv_maxIRQL(x)
#define __drv_minIRQL(x)
#define __drv_setsIRQL(x)
#define __drv_savesIRQL
#define __drv_restoresIRQL
#define __drv_sameIRQL
#define __drv_dispatchType(x)
#define __drv_functionClass(x)
#define __drv_when(c, a)
#define __drv_strictTypeMatch(x)
#define __drv_isObjectPointer
#define __drv_preferredFunction(f, r)
