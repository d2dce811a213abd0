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
#define _In_z_
#define _In_reads_or_z_(n)
#define _In_reads_or_z_opt_(n)
#define _Inout_updates_z_(n)
#define _Analysis_assume_lock_acquired_(lock)
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
#define _At_buffer_(t, i, b, a)
#define _Post_equal_to_(x)
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
#define _In_range_(lo, hi)
#define _Out_range_(lo, hi)
#define _Deref_out_range_(lo, hi)
#define _Ret_range_(lo, hi)
#define _Post_
#define _Pre_
#define _Post_invalid_
#define _Post_writable_byte_size_(n)
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Ret_writes_bytes_maybenull_(n)
#define _Result_nullonfailure_
#define _In_reads_bytes_opt_(n)
#define _Out_writes_to_(n, c)
#define _Out_writes_bytes_to_(n, c)
#define _Out_writes_bytes_to_opt_(n, c)
#define _Out_writes_opt_(n)
#define _Inout_updates_to_(n, c)
#define _Inout_updates_bytes_to_(n, c)
#define _Inout_updates_opt_(n)
#define _Inout_updates_bytes_opt_(n)
#define _Outptr_result_bytebuffer_(n)
#define _Outptr_result_buffer_(n)
#define _Outptr_opt_result_maybenull_
#define _Outptr_result_nullonfailure_
#define _Field_range_(lo, hi)
#define _Field_size_opt_(n)
#define _Field_size_bytes_opt_(n)
#define _Field_size_part_(n, c)
#define _Field_size_bytes_part_(n, c)
#define _Guarded_by_(x)
#define _Interlocked_
#define _Interlocked_operand_
#define _Requires_exclusive_lock_held_(x)
#define _Requires_shared_lock_held_(x)
#define _Acquires_exclusive_lock_(x)
#define _Acquires_shared_lock_(x)
#define _Releases_exclusive_lock_(x)
#define _Releases_shared_lock_(x)
#define _Has_lock_kind_(k)
#define _Literal_
#define _Notliteral_
#define _Strict_type_match_
#define _Points_to_data_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define _Post_ptr_invalid_
#define _Always_(a)
#define _On_failure_(a)
#define _Return_type_success_(x)
#define _Dispatch_type_(x)
#define _Kernel_requires_resource_held_(x)
#define _Kernel_clear_do_init_(x)
#define _IRQL_requires_lock_held_(x)
#define __fallthrough
/* The older SAL spelling (before SAL 2.0), which drivers of the Windows 7 era still use. */
#define __in
#define __in_opt
#define __out
#define __out_opt
#define __inout
#define __inout_opt
#define __in_bcount(n)
#define __out_bcount(n)
#define __inout_bcount(n)
#define __in_ecount(n)
#define __out_ecount(n)
#define __deref_out
#define __checkReturn
#define __success(x)
#define __reserved
