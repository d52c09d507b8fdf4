# The tokenizer: conformance with Hugging Face's fast tokenizers, options, errors, CLI.
set(ATTN_TOK_CASES ${CMAKE_CURRENT_SOURCE_DIR}/tok_cases.c)
attn_add_test(tokenizer_cases_bert SOURCES test_tokenizer_cases.c ${ATTN_TOK_CASES}
              ARGS bert-base-uncased vocab.txt LABELS tokenizer)
attn_add_test(tokenizer_cases_roberta SOURCES test_tokenizer_cases.c ${ATTN_TOK_CASES}
              ARGS roberta-style vocab.json merges.txt LABELS tokenizer)
attn_add_test(tokenizer_file SOURCES test_tokenizer_file.c ${ATTN_TOK_CASES}
              ARGS ${ATTN_TEST_DATA}/tokenizers/bert-base-uncased ${ATTN_TEST_DATA}/tokenizers/bert-base-uncased/cases.jsonl
              LABELS tokenizer)
find_package(Python3 COMPONENTS Interpreter REQUIRED)
# Random texts compared with the genuine Hugging Face library; skipped without node and the package.
add_test(NAME tokenizer_differential
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer/diff_test.sh $<TARGET_FILE:tokenizer_file> ${Python3_EXECUTABLE}
                 ${ATTN_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR}/tokenizer_diff 300 1)
set_tests_properties(tokenizer_differential PROPERTIES SKIP_RETURN_CODE 77 LABELS tokenizer)
attn_add_test(tokenizer_api SOURCES test_tokenizer_api.c ${ATTN_TOK_CASES} LABELS tokenizer)
add_test(NAME tokenizer_cli
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/tokenizer/test_cli.sh ${ATTN_CLI} ${Python3_EXECUTABLE} ${ATTN_TEST_DATA}
                 ${CMAKE_CURRENT_BINARY_DIR}/tokenizer_cli)
set_tests_properties(tokenizer_cli PROPERTIES LABELS tokenizer)
attn_add_test(tokenizer_fit SOURCES test_fit.c LABELS tokenizer)  # tokenizer and text fitted to a model (fit.c)
