# The forward pass against the Hugging Face reference outputs, one test per fixture folder.
attn_add_test(test_config SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_config.c)
if(NOT ATTN_KERNEL_SETS)
  set(ATTN_KERNEL_SETS avx512 avx2 portable)
endif()
add_executable(test_forward ${CMAKE_CURRENT_SOURCE_DIR}/test_forward.c ${CMAKE_CURRENT_SOURCE_DIR}/testutil.c)
target_include_directories(test_forward PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_forward PRIVATE attnscope_internal)
foreach(fixture bert-tiny bert-tiny-plain-f16 bert-tiny-posids distilbert-tiny distilbert-tiny-sharded roberta-tiny roberta-tiny-bf16)
  add_test(NAME forward_${fixture} COMMAND test_forward ${ATTN_TEST_DATA}/models/${fixture})
  set_tests_properties(forward_${fixture} PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
  # every kernel set must match the reference (ATTN_KERNEL_SETS, tests/kernels.cmake); a set the
  # CPU lacks is skipped with the reason printed
  # bf16 precision within its own documented tolerance; skipped (77) without AVX512-BF16
  add_test(NAME forward_${fixture}_bf16 COMMAND test_forward ${ATTN_TEST_DATA}/models/${fixture} --bf16)
  set_tests_properties(forward_${fixture}_bf16 PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
  # the same on AVX512-BF16 alone (vdpbf16ps) where AMX would otherwise be used
  add_test(NAME forward_${fixture}_bf16_avx512 COMMAND test_forward ${ATTN_TEST_DATA}/models/${fixture} --bf16)
  set_tests_properties(forward_${fixture}_bf16_avx512 PROPERTIES SKIP_RETURN_CODE 77 ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;ATTN_BF16=avx512")
  foreach(ks ${ATTN_KERNEL_SETS})
    add_test(NAME forward_${fixture}_${ks} COMMAND test_forward ${ATTN_TEST_DATA}/models/${fixture})
    set_tests_properties(forward_${fixture}_${ks} PROPERTIES SKIP_RETURN_CODE 77
      ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;ATTN_KERNELS=${ks}")
  endforeach()
endforeach()
# the forward's worker team; run without OMP_WAIT_POLICY=PASSIVE: idle workers must sleep on their own
attn_add_test(test_team_pool SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_team_pool.c)
set_tests_properties(test_team_pool PROPERTIES ENVIRONMENT "ATTN_TEST_DATA=${ATTN_TEST_DATA}")
