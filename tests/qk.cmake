# ATTN_OUT_QK through `attnscope run --dump --qk`: per-head queries and keys against the checkpoint's
# own weights applied to the dumped hidden states (tests/cli/test_qk.py, standard library only).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME cli_run_qk COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_qk.py $<TARGET_FILE:attnscope_cli> ${ATTN_TEST_DATA})
set_tests_properties(cli_run_qk PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
