# A real one-node Slurm cluster started by the test on this machine (root, slurm-wlm + munge):
# a job array and a dependent job. Skipped without them, except under CI=true.
add_test(NAME slurm_cluster
         COMMAND sh ${CMAKE_CURRENT_SOURCE_DIR}/slurm/test_slurm.sh ${CMAKE_CURRENT_BINARY_DIR}/slurm_work)
set_tests_properties(slurm_cluster PROPERTIES SKIP_RETURN_CODE 77 LABELS slurm TIMEOUT 300 RUN_SERIAL TRUE)
