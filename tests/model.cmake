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
# the large blocks of src/common/pages.c (packed weights, the outputs of long forwards)
attn_add_test(test_pages SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_pages.c)
# the forward's worker team; run without OMP_WAIT_POLICY=PASSIVE: idle workers must sleep on their own
attn_add_test(test_team_pool SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/test_team_pool.c)
set_tests_properties(test_team_pool PROPERTIES ENVIRONMENT "ATTN_TEST_DATA=${ATTN_TEST_DATA}")
# The forward against a naive double-precision forward on a random checkpoint with an intermediate
# size of 1024 (the FFN buffer's padded rows, tests/test_forward_naive.c), made here by
# bench/make_checkpoint from tests/data/configs/bert-ffn1024.json; every kernel set and bf16.
add_executable(test_forward_naive ${CMAKE_CURRENT_SOURCE_DIR}/test_forward_naive.c ${CMAKE_CURRENT_SOURCE_DIR}/testutil.c)
target_include_directories(test_forward_naive PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(test_forward_naive PRIVATE attnscope_internal)
set(ATTN_NAIVE_MODEL ${CMAKE_CURRENT_BINARY_DIR}/bert-ffn1024)
add_test(NAME forward_naive_checkpoint
  COMMAND make_checkpoint ${ATTN_NAIVE_MODEL} ${ATTN_TEST_DATA}/configs/bert-ffn1024.json)
set_tests_properties(forward_naive_checkpoint PROPERTIES FIXTURES_SETUP naive_model)
foreach(mode dispatched bf16 ${ATTN_KERNEL_SETS})
  set(args ${ATTN_NAIVE_MODEL})
  set(env "OMP_WAIT_POLICY=PASSIVE")
  if(mode STREQUAL "bf16")
    list(APPEND args --bf16)
  elseif(NOT mode STREQUAL "dispatched")
    set(env "OMP_WAIT_POLICY=PASSIVE;ATTN_KERNELS=${mode}")
  endif()
  add_test(NAME forward_naive_${mode} COMMAND test_forward_naive ${args})
  set_tests_properties(forward_naive_${mode} PROPERTIES FIXTURES_REQUIRED naive_model SKIP_RETURN_CODE 77 ENVIRONMENT "${env}")
endforeach()
