# The corpus study (`attnscope compare`): readers, cleaning, metrics against the seed notebook's own
# numbers, and corrected metrics / head statistics / head distances against an independent Python
# computation over `attnscope run --dump`.
attn_add_test(test_corpus SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/analysis/test_corpus.c LABELS analysis)
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME analysis_compare
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/analysis/test_compare.sh ${ATTN_CLI} ${Python3_EXECUTABLE} ${ATTN_TEST_DATA}
                 ${CMAKE_CURRENT_BINARY_DIR}/analysis_compare)
# compare draws its report charts: fontconfig keeps its cache (tests/figures/lsan.supp)
set_tests_properties(analysis_compare PROPERTIES LABELS analysis ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
attn_add_test(test_study SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/analysis/test_study.c LABELS analysis)
# The head distances' own logarithm (same bits on every kernel path) and pair loop (same bits on any
# thread count), against libm and a long double reference.
attn_add_test(test_head_distance SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/analysis/test_head_distance.c LABELS analysis)
