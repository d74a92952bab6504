# The version both binaries print with --version: the project version, and the commit it was
# built from (`git describe --always --dirty`) when the source is a git tree. Computed when
# CMake configures; target nvabgpd_version gives the generated header nvabgpd/version.hpp.
set(NVABGPD_VERSION "${PROJECT_VERSION}")
find_package(Git QUIET)
if(GIT_FOUND AND EXISTS "${CMAKE_SOURCE_DIR}/.git")
  execute_process(COMMAND "${GIT_EXECUTABLE}" describe --always --dirty
                  WORKING_DIRECTORY "${CMAKE_SOURCE_DIR}"
                  OUTPUT_VARIABLE nvabgpd_git OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE nvabgpd_git_rc ERROR_QUIET)
  if(nvabgpd_git_rc EQUAL 0 AND NOT nvabgpd_git STREQUAL "")
    set(NVABGPD_VERSION "${PROJECT_VERSION} (git ${nvabgpd_git})")
  endif()
endif()
configure_file("${CMAKE_CURRENT_LIST_DIR}/version.hpp.in"
               "${CMAKE_BINARY_DIR}/generated/nvabgpd/version.hpp" @ONLY)
add_library(nvabgpd_version INTERFACE)
target_include_directories(nvabgpd_version INTERFACE "${CMAKE_BINARY_DIR}/generated")
