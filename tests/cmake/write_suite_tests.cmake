# Run after a GoogleTest executable is built (cmake -P): lists its tests and writes one CTest
# test per suite into CTEST_FILE. Inputs: TEST_EXECUTABLE, CTEST_FILE, TEST_PREFIX, TEST_TIMEOUT.
execute_process(COMMAND "${TEST_EXECUTABLE}" --gtest_list_tests
                OUTPUT_VARIABLE listing ERROR_VARIABLE errors RESULT_VARIABLE status
                TIMEOUT 120)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} --gtest_list_tests failed (${status}):\n${errors}")
endif()
string(REPLACE "\n" ";" lines "${listing}")
set(content "")
set(count 0)
foreach(line IN LISTS lines)
  # A suite's line starts in the first column and ends with "." (a typed or parameterised
  # suite adds "  # TypeParam = ..."); its tests follow indented.
  if(line MATCHES "^([^ ]+)\\.( .*)?$")
    set(name "${TEST_PREFIX}${CMAKE_MATCH_1}")
    string(APPEND content
      "add_test([==[${name}]==] [==[${TEST_EXECUTABLE}]==] [==[--gtest_filter=${CMAKE_MATCH_1}.*]==])\n"
      "set_tests_properties([==[${name}]==] PROPERTIES SKIP_RETURN_CODE 77 TIMEOUT ${TEST_TIMEOUT})\n")
    math(EXPR count "${count} + 1")
  endif()
endforeach()
if(count EQUAL 0)
  message(FATAL_ERROR "${TEST_EXECUTABLE} lists no test suite")
endif()
file(WRITE "${CTEST_FILE}" "${content}")
