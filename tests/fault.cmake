# Fault injection: every allocation (link-time wrappers) and every output write (the library's
# hook) made to fail in turn over a model load, tokenizer loads, encodes, a forward and writes.
attn_add_test(fault_injection SOURCES fault/test_fault.c fault/fault_alloc.c ARGS 1 LABELS fault)
target_include_directories(fault_injection PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/fault)
target_link_options(fault_injection PRIVATE
  -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=strdup,--wrap=strndup)
set_tests_properties(fault_injection PROPERTIES TIMEOUT 600)
# The atomic writer and the output checks.
attn_add_test(atomic_output SOURCES test_atomic.c LABELS fault)
