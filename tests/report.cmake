# The HTML report: writer (C), the page's JavaScript (node --check), and the page in a real
# browser (headless chromium via playwright-core; skipped without them unless CI=true).
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_executable(report_gen_corpus ${CMAKE_CURRENT_SOURCE_DIR}/report/gen_corpus.c)
target_link_libraries(report_gen_corpus PRIVATE attnscope m)
attn_add_test(test_report SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/report/test_report.c)
find_program(NODE_EXECUTABLE node)
if(NODE_EXECUTABLE)
  file(GLOB ATTN_REPORT_JS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/web/*.js ${CMAKE_CURRENT_SOURCE_DIR}/report/*.js)
  add_test(NAME report_js_check COMMAND sh -c "for f; do ${NODE_EXECUTABLE} --check \"$f\" || exit 1; done" sh ${ATTN_REPORT_JS})
endif()
add_test(NAME report_cli COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report/test_view.sh $<TARGET_FILE:attnscope_cli>
         ${Python3_EXECUTABLE} ${ATTN_TEST_DATA})
set_tests_properties(report_cli PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
add_test(NAME report_browser COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report/test_browser.sh $<TARGET_FILE:attnscope_cli>
         $<TARGET_FILE:report_gen_corpus> ${Python3_EXECUTABLE} ${ATTN_TEST_DATA})
set_tests_properties(report_browser PROPERTIES ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp" SKIP_RETURN_CODE 77 TIMEOUT 300 RUN_SERIAL ON)
add_test(NAME report_words COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/report/test_words_report.sh $<TARGET_FILE:attnscope_cli>
         ${Python3_EXECUTABLE} ${ATTN_TEST_DATA} ${CMAKE_SOURCE_DIR}/examples/corpus)
set_tests_properties(report_words PROPERTIES ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
