# The command-line tool end to end, as a user runs it.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME cli_run COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_run.sh $<TARGET_FILE:attnscope_cli> ${Python3_EXECUTABLE} ${ATTN_TEST_DATA})
set_tests_properties(cli_run PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
