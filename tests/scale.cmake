# Corpora past one machine (docs/scale.md): shards + merge and resume after SIGKILL equal one run.
add_test(NAME scale_shard_resume COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_scale.sh ${ATTN_CLI}
         ${Python3_EXECUTABLE} ${ATTN_TEST_DATA} ${PROJECT_SOURCE_DIR})
set_tests_properties(scale_shard_resume PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE" TIMEOUT 600)
