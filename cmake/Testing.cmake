# ursync_add_test(NAME <name> SOURCES <files...> LIBS <libs...>): one GoogleTest binary, its tests
# registered individually with CTest.
include(GoogleTest)
function(ursync_add_test)
  cmake_parse_arguments(T "" "NAME" "SOURCES;LIBS" ${ARGN})
  add_executable(${T_NAME} ${T_SOURCES})
  target_link_libraries(${T_NAME} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main ursync_warnings)
  # Helpers shared across the test folders: #include "tests/util/stock_rsync.h".
  target_include_directories(${T_NAME} PRIVATE ${PROJECT_SOURCE_DIR})
  target_compile_definitions(${T_NAME} PRIVATE
    URSYNC_SOURCE_DIR="${PROJECT_SOURCE_DIR}" URSYNC_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${T_NAME} DISCOVERY_MODE PRE_TEST
    PROPERTIES ENVIRONMENT "URSYNC_SOURCE_DIR=${PROJECT_SOURCE_DIR}" TIMEOUT 300)
endfunction()
