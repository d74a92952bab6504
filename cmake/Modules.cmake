# nvabgpd_module(<name> SOURCES ... DEPS ... [PUBLIC_DEPS ...])
# Declares the static library nvabgpd_<name> with include dir <dir>/include.
function(nvabgpd_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PUBLIC_DEPS" ${ARGN})
  add_library(nvabgpd_${name} STATIC ${M_SOURCES})
  add_library(nvabgpd::${name} ALIAS nvabgpd_${name})
  target_include_directories(nvabgpd_${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include)
  target_link_libraries(nvabgpd_${name} PUBLIC ${M_PUBLIC_DEPS} PRIVATE ${M_DEPS})
  nvabgpd_warnings(nvabgpd_${name})
endfunction()

# nvabgpd_unit_test(<name> SOURCES ... DEPS ...): a Catch2 v2 executable registered with CTest
# (label "unit"). Shares one precompiled Catch2 main (nvabgpd_catch_main).
function(nvabgpd_unit_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE nvabgpd_catch_main ${T_DEPS})
  nvabgpd_warnings(${name})
  catch_discover_tests(${name} PROPERTIES LABELS unit)
endfunction()

# nvabgpd_fuzzer(<name> SOURCES ... DEPS ...): a libFuzzer target (clang, NVABGPD_FUZZ=ON).
# Its seed corpus lives in tests/fuzz/<module>/corpus/<name>/; scripts/run-fuzzers.sh runs
# every target listed in ${CMAKE_BINARY_DIR}/fuzzers/*.txt.
if(NOT TARGET fuzz-all)
  add_custom_target(fuzz-all)
endif()
function(nvabgpd_fuzzer name)
  cmake_parse_arguments(F "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${F_SOURCES})
  target_link_libraries(${name} PRIVATE ${F_DEPS})
  target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  add_dependencies(fuzz-all ${name})
  file(GENERATE OUTPUT ${CMAKE_BINARY_DIR}/fuzzers/${name}.txt
       CONTENT "$<TARGET_FILE:${name}> ${CMAKE_CURRENT_SOURCE_DIR}/corpus/${name}\n")
endfunction()
