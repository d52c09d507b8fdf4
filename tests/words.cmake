# Word-level attention, rollout, focus, similarity and cross-model agreement (src/analysis/words.c ...).
attn_add_test(words_unit SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/words/test_words.c LABELS words)
add_executable(words_probe ${CMAKE_CURRENT_SOURCE_DIR}/words/words_probe.c)
target_link_libraries(words_probe PRIVATE attnscope PkgConfig::JANSSON)
find_package(Python3 COMPONENTS Interpreter REQUIRED)
# every figure recomputed from `attnscope run --dump` by a standard-library Python script
add_test(NAME words_independent
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/words/words_check.py
                 $<TARGET_FILE:attnscope_cli> $<TARGET_FILE:words_probe> ${ATTN_TEST_DATA}
                 ${CMAKE_CURRENT_SOURCE_DIR}/words/corpus.jsonl)
set_tests_properties(words_independent PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE" LABELS words)
# `similarity` against the seed notebook's cosines on the HF reference; errors; text output
add_test(NAME words_cli
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/words/test_cli.sh ${ATTN_CLI} ${Python3_EXECUTABLE} ${ATTN_TEST_DATA})
set_tests_properties(words_cli PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE" LABELS words)
# a sentence past the model's positions in view, focus, similarity, align and compare --similarity/--focus:
# cut with run's warning, noted in --json and the report, numbers = the hand-truncated sentence's and run --dump's
add_test(NAME words_truncation
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/words/test_truncation.py ${ATTN_CLI} ${ATTN_TEST_DATA})
# (compare and the reports draw: fontconfig keeps its cache, tests/figures/lsan.supp; the test reads
# stderr line by line, so LSan must not add its suppression statistics)
set_tests_properties(words_truncation PROPERTIES ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp:print_suppressions=0" LABELS words)
# compare --focus with --focus-layer/--focus-head/--focus-rollout: report.html's rows = `focus --json`'s
add_test(NAME words_compare_focus
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/words/test_compare_focus.py ${ATTN_CLI} ${ATTN_TEST_DATA})
set_tests_properties(words_compare_focus PROPERTIES ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp:print_suppressions=0" LABELS words)
