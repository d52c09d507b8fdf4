# Hub client and pytorch_model.bin loader (see docs/hub.md). Tests only talk to 127.0.0.1 and use
# temporary caches (HF_HUB_CACHE), never ~/.cache.
find_package(Python3 COMPONENTS Interpreter)

attn_add_test(hub_names SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/hub/test_hub_names.c)
attn_add_test(torch_bin SOURCES ${CMAKE_CURRENT_SOURCE_DIR}/hub/test_torch_bin.c)

if(Python3_Interpreter_FOUND)
  # unusual but valid layouts, and malicious/broken files, written by make_bins.py (no torch needed)
  add_test(NAME torch_bin_generated
    COMMAND ${CMAKE_COMMAND} -E env ATTN_TEST_DATA=${ATTN_TEST_DATA}
      ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/hub/run_generated.py
      $<TARGET_FILE:torch_bin> ${ATTN_TEST_DATA} ${CMAKE_CURRENT_BINARY_DIR}/torch_bin_generated)
  add_test(NAME hub_download
    COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/hub/test_hub.py ${ATTN_CLI} ${ATTN_TEST_DATA})
  set_tests_properties(hub_download PROPERTIES TIMEOUT 600 ENVIRONMENT "OMP_WAIT_POLICY=PASSIVE")
else()
  if("$ENV{CI}" STREQUAL "true")
    message(FATAL_ERROR "python3 not found, and CI=true: tests may not be skipped")
  endif()
  message(STATUS "python3 not found: the Hub download tests are skipped")
endif()
