# attnscope bench on the tiny fixtures: output shape, JSON keys, CSV/JSON files, errors (not speed).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME cli_bench COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_bench.py $<TARGET_FILE:attnscope_cli> ${ATTN_TEST_DATA})
# bench --figures draws: fontconfig keeps its cache (tests/figures/lsan.supp)
set_tests_properties(cli_bench PROPERTIES ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
# bench_corpus (corpus mode of bench/compare_peers.sh): its ids against `attnscope tokenize`, its dump,
# and bench/torch_forward.py's padded, masked batches against it where torch is installed.
add_test(NAME bench_corpus COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/cli/test_bench_corpus.py
         $<TARGET_FILE:bench_corpus> $<TARGET_FILE:attnscope_cli> ${PROJECT_SOURCE_DIR} ${ATTN_TEST_DATA})
set_tests_properties(bench_corpus PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
