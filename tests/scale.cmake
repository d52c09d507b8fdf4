# Corpora past one machine (docs/scale.md): shards + merge and resume after SIGKILL equal one run.
add_test(NAME scale_shard_resume COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_scale.sh ${ATTN_CLI}
         ${Python3_EXECUTABLE} ${ATTN_TEST_DATA} ${PROJECT_SOURCE_DIR})
set_tests_properties(scale_shard_resume PROPERTIES ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE" TIMEOUT 1500)
# examples/slurm (job array of shards + dependent merge) on a one-node cluster the test starts
# (tests/slurm/slurm_cluster.sh); skipped without root or slurm-wlm/munge, except under CI=true.
add_test(NAME slurm_compare
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/slurm/test_slurm_compare.sh ${CMAKE_CURRENT_BINARY_DIR}/slurm_compare_work
                 ${ATTN_CLI} ${Python3_EXECUTABLE} ${ATTN_TEST_DATA} ${PROJECT_SOURCE_DIR})
set_tests_properties(slurm_compare PROPERTIES SKIP_RETURN_CODE 77 LABELS slurm TIMEOUT 400 RUN_SERIAL TRUE)
# merge --figures: the study charts from the merged sums, byte-identical to one compare --figures
add_test(NAME scale_merge_figures COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/scale/test_merge_figures.sh ${ATTN_CLI}
         ${Python3_EXECUTABLE} ${ATTN_TEST_DATA} ${PROJECT_SOURCE_DIR})
set_tests_properties(scale_merge_figures PROPERTIES TIMEOUT 600 ENVIRONMENT
                     "OMP_WAIT_POLICY=PASSIVE;LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/figures/lsan.supp")
