# The loader's Inf/NaN check (tests/test_load.c), once per kernel set: the avx512 set packs with
# the fused check, avx2 and portable check the weights they read in place.
attn_add_test(test_load SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_load.c)
foreach(ks avx512 avx2 portable)
  add_test(NAME test_load_${ks} COMMAND test_load)
  set_tests_properties(test_load_${ks} PROPERTIES SKIP_RETURN_CODE 77
    ENVIRONMENT "ATTN_TEST_DATA=${ATTN_TEST_DATA};OMP_WAIT_POLICY=PASSIVE;ATTN_KERNELS=${ks}")
endforeach()
