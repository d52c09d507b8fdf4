# Figures: every chart kind in every format from fixed data (test_figures writes, C checks PNG
# decoding/size/variance and determinism; check_figures.py checks XML, PDF pages, text, goldens);
# classical MDS against a known configuration; the CLI's figure options.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
set(ATTN_FIG_OUT ${CMAKE_CURRENT_BINARY_DIR}/figures-out)
set(ATTN_FIG_LSAN "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
attn_add_test(test_figures SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/figures/test_figures.c
              ${CMAKE_CURRENT_SOURCE_DIR}/figures/fixtures.c ARGS ${ATTN_FIG_OUT})
target_include_directories(test_figures PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/figures)
set_tests_properties(test_figures PROPERTIES FIXTURES_SETUP figures_out
                     ENVIRONMENT "ATTN_TEST_DATA=${ATTN_TEST_DATA};OMP_WAIT_POLICY=PASSIVE;${ATTN_FIG_LSAN}")
add_test(NAME figures_files COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/figures/check_figures.py
         ${ATTN_FIG_OUT} ${ATTN_TEST_DATA}/figures $<TARGET_FILE:test_figures>)
set_tests_properties(figures_files PROPERTIES FIXTURES_REQUIRED figures_out
                     ENVIRONMENT "ATTN_TEST_DATA=${ATTN_TEST_DATA};OMP_WAIT_POLICY=PASSIVE;${ATTN_FIG_LSAN}")
attn_add_test(test_mds SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/figures/test_mds.c)
add_test(NAME cli_figures COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/figures/test_cli_figures.sh
         $<TARGET_FILE:attnscope_cli> ${Python3_EXECUTABLE} ${ATTN_TEST_DATA})
set_tests_properties(cli_figures PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;${ATTN_FIG_LSAN}")
# The seed's corpus charts from the sample corpus's metrics (the README's domain chart).
add_executable(sample_figures ${CMAKE_CURRENT_SOURCE_DIR}/figures/sample_figures.c)
target_link_libraries(sample_figures PRIVATE attnscope)
add_test(NAME figures_sample COMMAND sample_figures ${ATTN_TEST_DATA}/metrics/metrics_by_sentence.seed.csv
         ${CMAKE_CURRENT_BINARY_DIR})
set_tests_properties(figures_sample PROPERTIES ENVIRONMENT "${ATTN_FIG_LSAN}")
# compare --figures / report.html, and --figures on similarity, focus and view, as a user runs them.
add_test(NAME figures_study COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/figures/test_study_outputs.sh
         $<TARGET_FILE:attnscope_cli> ${Python3_EXECUTABLE} ${ATTN_TEST_DATA})
set_tests_properties(figures_study PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE;${ATTN_FIG_LSAN}" TIMEOUT 300)
