# -DNVABGPD_SANITIZE=ON builds everything with ASan + UBSan (tests and daemon alike).
# -DNVABGPD_FUZZ=ON (clang only) adds coverage instrumentation for libFuzzer as well.
if(NVABGPD_SANITIZE OR NVABGPD_FUZZ)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(NVABGPD_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
