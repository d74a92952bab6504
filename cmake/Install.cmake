# Install layout (FHS). Included from the top-level CMakeLists.txt after the modules, so the
# nvabgpd (sbin) and nvabgpctl (bin) install(TARGETS) rules of daemon/ are already declared.
#
#   <prefix>/sbin/nvabgpd, <prefix>/bin/nvabgpctl
#   <prefix>/lib/systemd/system/nvabgpd.service
#   /etc/nvabgpd/policy/*.conf                  the shipped filters (conffiles in the .deb)
#   <docdir>/examples/*.yaml (+ examples/policy) example configurations, README, config.md
#
# Configured with CMAKE_INSTALL_PREFIX=/usr (packages, CPack) the filters go to /etc; with any
# other prefix to <prefix>/etc, decided at install time so `cmake --install --prefix DIR` never
# writes outside DIR. The unit file names /etc/nvabgpd/nvabgpd.yaml and /usr/sbin/nvabgpd,
# i.e. the packaged (/usr) layout.
include(GNUInstallDirs)

set(NVABGPD_SYSTEMD_UNIT_DIR "lib/systemd/system"
    CACHE STRING "systemd system unit directory, relative to the install prefix")

install(FILES ${CMAKE_SOURCE_DIR}/systemd/nvabgpd.service
        DESTINATION ${NVABGPD_SYSTEMD_UNIT_DIR} COMPONENT daemon)

file(GLOB NVABGPD_POLICY_FILES ${CMAKE_SOURCE_DIR}/policy/filters/*.conf)
# /etc only for the /usr prefix, decided at install time (file(INSTALL) adds DESTDIR).
install(CODE "
  if(CMAKE_INSTALL_PREFIX STREQUAL \"/usr\")
    set(_nvabgpd_etc \"/etc/nvabgpd\")
  else()
    set(_nvabgpd_etc \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_SYSCONFDIR}/nvabgpd\")
  endif()
  file(INSTALL DESTINATION \"\${_nvabgpd_etc}/policy\" TYPE FILE FILES ${NVABGPD_POLICY_FILES})
" COMPONENT daemon)

# The examples get a real policy/ directory next to them (config/examples/policy is a symlink
# into the source tree) so they load as installed:
#   nvabgpd --check --config <docdir>/examples/nva1.yaml
file(GLOB NVABGPD_EXAMPLE_FILES ${CMAKE_SOURCE_DIR}/config/examples/*.yaml)
install(FILES ${NVABGPD_EXAMPLE_FILES}
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples COMPONENT daemon)
install(FILES ${NVABGPD_POLICY_FILES}
        DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/policy COMPONENT daemon)
foreach(doc README.md docs/config.md)
  if(EXISTS ${CMAKE_SOURCE_DIR}/${doc})
    install(FILES ${CMAKE_SOURCE_DIR}/${doc} DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT daemon)
  endif()
endforeach()

# Manual pages (man/, roff written by hand: nvabgpd(8), nvabgpctl(8), nvabgpd.yaml(5)),
# compressed as Debian policy asks (gzip -9n: no name or time stamp, reproducible), and the
# bash completion script nvabgpctl prints (`nvabgpctl completion bash`, generated from its
# command table), into <prefix>/share/man and <prefix>/share/bash-completion/completions.
find_program(NVABGPD_GZIP gzip REQUIRED)
set(nvabgpd_man_gz "")
foreach(page nvabgpd.8 nvabgpctl.8 nvabgpd.yaml.5)
  string(REGEX REPLACE ".*\\.([0-9])$" "\\1" section ${page})
  set(gz ${CMAKE_BINARY_DIR}/man/${page}.gz)
  add_custom_command(OUTPUT ${gz}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
    COMMAND sh -c "${NVABGPD_GZIP} -9nc '${CMAKE_SOURCE_DIR}/man/${page}' > '${gz}'"
    DEPENDS ${CMAKE_SOURCE_DIR}/man/${page} VERBATIM)
  list(APPEND nvabgpd_man_gz ${gz})
  install(FILES ${gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section} COMPONENT daemon)
endforeach()
add_custom_target(nvabgpd_man_pages ALL DEPENDS ${nvabgpd_man_gz})

if(TARGET nvabgpctl)
  # Named .bash in the build tree: tests find the built binaries by name under build/.
  set(nvabgpctl_completion ${CMAKE_BINARY_DIR}/completion/nvabgpctl.bash)
  add_custom_command(OUTPUT ${nvabgpctl_completion}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/completion
    COMMAND sh -c "'$<TARGET_FILE:nvabgpctl>' completion bash > '${nvabgpctl_completion}'"
    DEPENDS nvabgpctl VERBATIM)
  add_custom_target(nvabgpctl_completion ALL DEPENDS ${nvabgpctl_completion})
  install(FILES ${nvabgpctl_completion} RENAME nvabgpctl
          DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT daemon)
endif()
