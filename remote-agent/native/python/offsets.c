/*
 * Prints, as one JSON object, the layout facts of one CPython version that
 * attached-process Python stacks need: where the probe finds a thread's frame
 * chain (_PyRuntime -> interpreters -> thread states -> frames) and where the
 * agent reads a code object's file, name and line table. Compiled against
 * that version's own headers (internal ones included) by offsets.sh at build
 * time, so every number is the compiler's, not a guess.
 *
 * 3.13 and later: the walk's offsets are read at run time from the
 * _Py_DebugOffsets at the start of _PyRuntime; this prints where that
 * struct's fields are (stable within a minor version) instead.
 */
#define Py_BUILD_CORE 1
#include <Python.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "internal/pycore_frame.h"
#include "internal/pycore_interp.h"
#include "internal/pycore_runtime.h"

#define F(name, value) printf(",\"%s\":%lu", name, (unsigned long)(value))

/* The mask of a bitfield of `state`: set it in a zeroed object and see which bits moved. */
#define STATE_MASK(field, ones)                                                     \
	do {                                                                        \
		PyASCIIObject o;                                                    \
		unsigned int bits;                                                  \
		memset(&o, 0, sizeof(o));                                           \
		o.state.field = ones;                                               \
		memcpy(&bits, (char *)&o + offsetof(PyASCIIObject, state), 4);    \
		F("unicode_" #field "_mask", bits);                                 \
	} while (0)

int main(void)
{
	printf("{\"version_hex\":%lu,\"version\":\"%s\"", (unsigned long)PY_VERSION_HEX, PY_VERSION);
	/* objects the agent reads */
	F("ob_type", offsetof(PyObject, ob_type));
	F("code_filename", offsetof(PyCodeObject, co_filename));
	F("code_name", offsetof(PyCodeObject, co_name));
	F("code_qualname", offsetof(PyCodeObject, co_qualname));
	F("code_firstlineno", offsetof(PyCodeObject, co_firstlineno));
	F("code_linetable", offsetof(PyCodeObject, co_linetable));
	F("code_adaptive", offsetof(PyCodeObject, co_code_adaptive));
	F("bytes_size", offsetof(PyVarObject, ob_size));
	F("bytes_data", offsetof(PyBytesObject, ob_sval));
	F("unicode_length", offsetof(PyASCIIObject, length));
	F("unicode_state", offsetof(PyASCIIObject, state));
	F("unicode_ascii_size", sizeof(PyASCIIObject));
	F("unicode_compact_size", sizeof(PyCompactUnicodeObject));
	STATE_MASK(kind, 7);
	STATE_MASK(compact, 1);
	STATE_MASK(ascii, 1);
#if PY_VERSION_HEX >= 0x030D0000
	/* where each offset the walk needs sits in _Py_DebugOffsets */
	F("debug_cookie", offsetof(_Py_DebugOffsets, cookie));
	F("debug_version", offsetof(_Py_DebugOffsets, version));
	F("debug_free_threaded", offsetof(_Py_DebugOffsets, free_threaded));
	F("debug_runtime_interpreters_head", offsetof(_Py_DebugOffsets, runtime_state.interpreters_head));
	F("debug_interp_next", offsetof(_Py_DebugOffsets, interpreter_state.next));
	F("debug_interp_threads_head", offsetof(_Py_DebugOffsets, interpreter_state.threads_head));
	F("debug_thread_next", offsetof(_Py_DebugOffsets, thread_state.next));
	F("debug_thread_native_thread_id", offsetof(_Py_DebugOffsets, thread_state.native_thread_id));
	F("debug_thread_current_frame", offsetof(_Py_DebugOffsets, thread_state.current_frame));
	F("debug_frame_previous", offsetof(_Py_DebugOffsets, interpreter_frame.previous));
	F("debug_frame_executable", offsetof(_Py_DebugOffsets, interpreter_frame.executable));
	F("debug_frame_instr_ptr", offsetof(_Py_DebugOffsets, interpreter_frame.instr_ptr));
	F("debug_frame_owner", offsetof(_Py_DebugOffsets, interpreter_frame.owner));
	F("debug_size", sizeof(_Py_DebugOffsets));
	F("frame_owned_by_cstack", FRAME_OWNED_BY_CSTACK);
#else
	F("runtime_interpreters_head", offsetof(_PyRuntimeState, interpreters.head));
	F("runtime_main_interpreter", offsetof(_PyRuntimeState, _main_interpreter));
	F("interp_next", offsetof(PyInterpreterState, next));
	F("interp_threads_head", offsetof(PyInterpreterState, threads.head));
	F("thread_next", offsetof(PyThreadState, next));
	F("thread_native_thread_id", offsetof(PyThreadState, native_thread_id));
	F("thread_cframe", offsetof(PyThreadState, cframe));
	F("cframe_current_frame", offsetof(_PyCFrame, current_frame));
	F("frame_code", offsetof(_PyInterpreterFrame, f_code));
	F("frame_previous", offsetof(_PyInterpreterFrame, previous));
	F("frame_instr", offsetof(_PyInterpreterFrame, prev_instr));
	F("frame_owner", offsetof(_PyInterpreterFrame, owner));
#if PY_VERSION_HEX >= 0x030C0000
	F("frame_owned_by_cstack", FRAME_OWNED_BY_CSTACK);
#endif
#endif
	printf("}\n");
	return 0;
}
