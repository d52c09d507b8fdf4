# attnscope bench on the tiny fixtures: output shape, JSON keys, CSV/JSON files, errors (not speed).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME cli_bench COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_bench.py $<TARGET_FILE:attnscope_cli> ${ATTN_TEST_DATA})
# bench --figures draws: fontconfig keeps its cache (tests/figures/lsan.supp)
set_tests_properties(cli_bench PROPERTIES ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
