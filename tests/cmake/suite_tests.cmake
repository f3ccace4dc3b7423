# One CTest test per GoogleTest suite instead of per test. Each test is a process of its own,
# and a process that loads LibTorch under AddressSanitizer takes ~2 s to start and end on the CI's
# machines before any test code runs; per suite the asan run starts 77 processes instead of
# 351 (session 14's count). Run one test on its own with the executable's --gtest_filter.
#
# dgnam_add_suite_tests(<target> [TEST_PREFIX <prefix>] [TIMEOUT <seconds>])
function(dgnam_add_suite_tests target)
  cmake_parse_arguments(ARG "" "TEST_PREFIX;TIMEOUT" "" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 900)
  endif()
  set(suites_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_suites.cmake")
  add_custom_command(TARGET ${target} POST_BUILD
    COMMAND ${CMAKE_COMMAND} -D "TEST_EXECUTABLE=$<TARGET_FILE:${target}>"
            -D "CTEST_FILE=${suites_file}" -D "TEST_PREFIX=${ARG_TEST_PREFIX}"
            -D "TEST_TIMEOUT=${ARG_TIMEOUT}"
            -P "${PROJECT_SOURCE_DIR}/tests/cmake/write_suite_tests.cmake"
    BYPRODUCTS "${suites_file}"
    VERBATIM)
  # CTest reads this before the executable exists; until it is built, one failing placeholder.
  set(include_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_include.cmake")
  file(WRITE "${include_file}"
    "if(EXISTS [==[${suites_file}]==])\n"
    "  include([==[${suites_file}]==])\n"
    "else()\n"
    "  add_test([==[${target}_NOT_BUILT]==] [==[${target}_NOT_BUILT]==])\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${include_file}")
endfunction()
