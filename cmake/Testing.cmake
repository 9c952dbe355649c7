# The test-support libraries (tests/support/CMakeLists.txt): main() shared by every GoogleTest binary and
# one library of fakes and helpers per layer. Nothing production links them.
add_subdirectory(${PROJECT_SOURCE_DIR}/tests/support ${CMAKE_BINARY_DIR}/tests/support)

# lmcp_unit_test(<name> SOURCES a_test.cc ... LIBS lib ...): one gtest binary per layer, each case a CTest
# test labelled "unit" (the set `make test` reruns under ASan+UBSan).
function(lmcp_unit_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} GTest::gmock lmcp_test_main)
  lmcp_warnings(${name})
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 120 PROPERTIES LABELS unit)
endfunction()

# lmcp_e2e_test(<name> COMMAND ...): a black-box test driving the real binary, labelled "e2e". Its state (the
# audit key) goes under the build dir, never the user's home.
function(lmcp_e2e_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "COMMAND;LABELS" ${ARGN})
  if(NOT LMCP_E2E)
    return()
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_test(NAME ${name} COMMAND ${ARG_COMMAND})
  set_tests_properties(${name} PROPERTIES LABELS "e2e;${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "LMCP_BIN=$<TARGET_FILE:lambda-mcp>;LMCP_SOURCE_DIR=${PROJECT_SOURCE_DIR};LMCP_BUILD_DIR=${CMAKE_BINARY_DIR};XDG_STATE_HOME=${CMAKE_BINARY_DIR}/state")
endfunction()
