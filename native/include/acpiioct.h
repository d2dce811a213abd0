/*
 * MiniportTimers: the buffers of an ACPI method evaluation (acpiioct.h), as StorPortInvokeAcpiMethod takes and returns
 * them: the input with its method name and arguments, the output with the results. From the public pages of
 * ACPI_EVAL_INPUT_BUFFER*, ACPI_EVAL_OUTPUT_BUFFER and ACPI_METHOD_ARGUMENT.
 */
#pragma once

#include "ntdef.h"

#define ACPI_EVAL_INPUT_BUFFER_SIGNATURE 'BieA'
#define ACPI_EVAL_INPUT_BUFFER_SIMPLE_INTEGER_SIGNATURE 'IieA'
#define ACPI_EVAL_INPUT_BUFFER_SIMPLE_STRING_SIGNATURE 'SieA'
#define ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE 'CieA'
#define ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE 'BoeA'

/* ACPI_METHOD_ARGUMENT.Type */
#define ACPI_METHOD_ARGUMENT_INTEGER 0x0
#define ACPI_METHOD_ARGUMENT_STRING 0x1
#define ACPI_METHOD_ARGUMENT_BUFFER 0x2
#define ACPI_METHOD_ARGUMENT_PACKAGE 0x3
#define ACPI_METHOD_ARGUMENT_PACKAGE_EX 0x4

/* One argument or result: its type, its data's length, and the data (an integer is a ULONG in Argument). */
typedef struct _ACPI_METHOD_ARGUMENT {
    USHORT Type;
    USHORT DataLength;
    union {
        ULONG Argument;
        UCHAR Data[ANYSIZE_ARRAY];
    };
} ACPI_METHOD_ARGUMENT, *PACPI_METHOD_ARGUMENT;
C_ASSERT(sizeof(ACPI_METHOD_ARGUMENT) == 8 && FIELD_OFFSET(ACPI_METHOD_ARGUMENT, Data) == 4);

/* The space an argument with DataLength bytes of data takes (never less than an integer's), and the next one. */
#define ACPI_METHOD_ARGUMENT_LENGTH(DataLength) \
    (FIELD_OFFSET(ACPI_METHOD_ARGUMENT, Data) + ((DataLength) > sizeof(ULONG) ? (DataLength) : sizeof(ULONG)))
#define ACPI_METHOD_ARGUMENT_LENGTH_FROM_ARGUMENT(Argument) ACPI_METHOD_ARGUMENT_LENGTH((Argument)->DataLength)
#define ACPI_METHOD_NEXT_ARGUMENT(Argument) \
    ((PACPI_METHOD_ARGUMENT)((PUCHAR)(Argument) + ACPI_METHOD_ARGUMENT_LENGTH_FROM_ARGUMENT(Argument)))
#define ACPI_METHOD_SET_ARGUMENT_INTEGER(MethodArgument, IntData) \
    do { (MethodArgument)->Type = ACPI_METHOD_ARGUMENT_INTEGER; (MethodArgument)->DataLength = sizeof(ULONG); \
         (MethodArgument)->Argument = (IntData); } while (0)

/* A method without arguments, named by four characters. */
typedef struct _ACPI_EVAL_INPUT_BUFFER {
    ULONG Signature;                 /* ACPI_EVAL_INPUT_BUFFER_SIGNATURE */
    union {
        UCHAR MethodName[4];
        ULONG MethodNameAsUlong;
    };
} ACPI_EVAL_INPUT_BUFFER, *PACPI_EVAL_INPUT_BUFFER;

/* A method with ArgumentCount arguments, Size bytes of them, one after another. */
typedef struct _ACPI_EVAL_INPUT_BUFFER_COMPLEX {
    ULONG Signature;                 /* ACPI_EVAL_INPUT_BUFFER_COMPLEX_SIGNATURE */
    union {
        UCHAR MethodName[4];
        ULONG MethodNameAsUlong;
    };
    ULONG Size;
    ULONG ArgumentCount;
    ACPI_METHOD_ARGUMENT Argument[ANYSIZE_ARRAY];
} ACPI_EVAL_INPUT_BUFFER_COMPLEX, *PACPI_EVAL_INPUT_BUFFER_COMPLEX;
C_ASSERT(FIELD_OFFSET(ACPI_EVAL_INPUT_BUFFER_COMPLEX, Argument) == 16);

/* The results: Count of them in Length bytes. */
typedef struct _ACPI_EVAL_OUTPUT_BUFFER {
    ULONG Signature;                 /* ACPI_EVAL_OUTPUT_BUFFER_SIGNATURE */
    ULONG Length;
    ULONG Count;
    ACPI_METHOD_ARGUMENT Argument[ANYSIZE_ARRAY];
} ACPI_EVAL_OUTPUT_BUFFER, *PACPI_EVAL_OUTPUT_BUFFER;
C_ASSERT(FIELD_OFFSET(ACPI_EVAL_OUTPUT_BUFFER, Argument) == 12);
