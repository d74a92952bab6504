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
