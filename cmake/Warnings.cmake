# Project-wide warning flags, applied per target with nvabgpd_warnings(<target>).
function(nvabgpd_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Wunused -Woverloaded-virtual -Wnull-dereference
    -Wimplicit-fallthrough)
  if(NVABGPD_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
