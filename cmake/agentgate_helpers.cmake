# agentgate_library(NAME SOURCES ... DEPS ...): a static library of one layer or component.
function(agentgate_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT ARG_SOURCES)
    # A layer with headers only so far: still a target others can link.
    add_library(${name} INTERFACE)
    target_include_directories(${name} INTERFACE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
endfunction()

# agentgate_test(NAME SOURCES ... DEPS ...): a GoogleTest binary registered with CTest.
# Tests find the shared fixtures through AGENTGATE_SHARED_DIR (../shared beside the repo) and the
# built binary through AGENTGATE_BINARY.
function(agentgate_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  if(NOT AGENTGATE_BUILD_TESTS)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src
                                             ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  target_compile_definitions(${name} PRIVATE
    AGENTGATE_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    AGENTGATE_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # An empty LABELS value would be dropped and shift ENVIRONMENT into its place.
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} DISCOVERY_MODE PRE_TEST
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
               ENVIRONMENT "AGENTGATE_BINARY=$<TARGET_FILE_DIR:agentgate>/agentgate")
endfunction()

# agentgate_fuzzer(NAME SOURCES ... DEPS ...): a libFuzzer target (only with AGENTGATE_FUZZ).
function(agentgate_fuzzer name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  if(NOT AGENTGATE_FUZZ)
    return()
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/include ${PROJECT_SOURCE_DIR}/src
                                             ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
endfunction()

# agentgate_glob_library(NAME DIR DEPS ...): every *.cc under DIR except *_test.cc / *_fuzz.cc /
# *_bench.cc. Keeps one layer's CMakeLists free of per-file churn.
function(agentgate_glob_library name dir)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${dir}/*.cc)
  list(FILTER srcs EXCLUDE REGEX "(_test|_fuzz|_bench)\\.cc$")
  agentgate_library(${name} SOURCES ${srcs} DEPS ${ARG_DEPS})
endfunction()

# agentgate_glob_tests(NAME DIR DEPS ...): one GoogleTest binary from every *_test.cc under DIR.
function(agentgate_glob_tests name dir)
  cmake_parse_arguments(ARG "" "TIMEOUT" "DEPS" ${ARGN})
  file(GLOB_RECURSE srcs CONFIGURE_DEPENDS ${dir}/*_test.cc)
  if(srcs)
    agentgate_test(${name} SOURCES ${srcs} DEPS ${ARG_DEPS} TIMEOUT ${ARG_TIMEOUT})
  endif()
endfunction()
