# The numeric kernels: every variant against its reference (tests/test_kernels.c), once per kernel
# set forced with ATTN_KERNELS; a set this CPU lacks is reported as skipped, with the reason.
attn_add_test(test_kernels SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_kernels.c)
set(ATTN_KERNEL_SETS avx512 avx2 portable)
foreach(ks ${ATTN_KERNEL_SETS})
  add_test(NAME test_kernels_${ks} COMMAND test_kernels)
  set_tests_properties(test_kernels_${ks} PROPERTIES SKIP_RETURN_CODE 77
    ENVIRONMENT "ATTN_TEST_DATA=${ATTN_TEST_DATA};OMP_WAIT_POLICY=PASSIVE;ATTN_KERNELS=${ks}")
endforeach()
