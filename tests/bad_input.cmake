# The bad-input table (tests/bad_input/cases.tsv): broken checkpoints, configs, tokenizers, inputs
# and output paths, each with its exact message and exit status; the broken files are generated
# from the fixtures at test time by tests/bad_input/make_cases.py.
find_package(Python3 COMPONENTS Interpreter REQUIRED)
add_test(NAME bad_input_table
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/bad_input/run.sh ${ATTN_CLI} ${Python3_EXECUTABLE} ${ATTN_TEST_DATA}
                 ${CMAKE_CURRENT_BINARY_DIR}/bad_input_work)
# rows that draw (compare's report, bench --figures): fontconfig keeps its cache (tests/figures/lsan.supp);
# quietly, since the table counts stderr lines
set_tests_properties(bad_input_table PROPERTIES LABELS bad_input TIMEOUT 900 ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp:print_suppressions=0")
# The broken-input battery (tests/battery/battery.py): hundreds of generated broken checkpoints,
# configs, tokenizers and inputs against every command (no crash, hang, sanitizer report or partial
# output; one error line naming the file). --quick: its deterministic subset (about a minute);
# the whole battery: scripts/battery.sh.
add_test(NAME bad_input_battery
         COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/battery/battery.py ${ATTN_CLI} ${ATTN_TEST_DATA}
                 ${CMAKE_CURRENT_BINARY_DIR}/battery_work --quick --jobs 2)
set_tests_properties(bad_input_battery PROPERTIES LABELS bad_input TIMEOUT 900 ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
