/*
 * MiniportTimers: structured exception handling's termination form (try-finally statement, C: `__try { ... __leave;
 * ... } __finally { ... }`), for driver source compiled by gcc, which has no SEH. Included by ntddk.h, as Windows'
 * ntdef.h includes excpt.h.
 *
 * What is emulated: __leave jumps to the end of the __try block (from any depth of loops inside it), and the __finally
 * block then runs, as it does when the __try block ends normally. What is not: an exception raised in the __try block
 * (there are none in user mode here: a fault is a signal, a bug check unwinds to the host's trampoline), and `return`,
 * `break` or `goto` out of the __try block, after which MSVC runs the __finally block and this does not. __except (the
 * exception handler form) does not compile: its filter cannot be emulated.
 *
 * Each __try opens a block with its own local label (gcc's __label__), so two __try statements in one function, or
 * one inside another, each leave their own:
 *   __try          ->  { __label__ mpt_seh_leave;
 *   { body }           { body }
 *   __finally      ->  mpt_seh_leave: ; }
 *   { handler }        { handler }
 *
 * Without underscores (try, finally, leave) they are the same, as excpt.h defines them for C.
 */
#pragma once

#define __try { __label__ mpt_seh_leave;
#define __leave goto mpt_seh_leave
#define __finally mpt_seh_leave: ; }
#define __except(filter) MPT_SEH___except_is_not_emulated_by_gcc
#define try __try
#define leave __leave
#define finally __finally
#define except __except
