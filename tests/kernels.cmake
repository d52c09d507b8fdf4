# The numeric kernels: every variant against its reference (tests/test_kernels.c).
attn_add_test(test_kernels SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_kernels.c)
