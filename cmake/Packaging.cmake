# CPack: a Debian package (`cpack -G DEB` in the build dir, or `ninja package`).
# Include after Install.cmake. The runtime library dependencies come from dpkg-shlibdeps on
# the built binaries; the maintainer scripts in cmake/deb/ create the nvabgpd system user.
set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "nvabgpd")
set(CPACK_PACKAGE_VENDOR "nvabgpd")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "BGP-4 daemon for Linux network virtual appliances")
set(CPACK_PACKAGE_DESCRIPTION
    "nvabgpd peers with Azure Route Server, other NVAs and any RFC 4271 speaker, filters\n\
routes with BIRD's filter language and installs them in the kernel FIB. nvabgpctl is its\n\
control CLI.")
# Build packages from a tree configured with -DCMAKE_INSTALL_PREFIX=/usr (Install.cmake then
# places the filters in /etc).
set(CPACK_PACKAGING_INSTALL_PREFIX "/usr")
if(NOT CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  message(STATUS "CPack: configure with -DCMAKE_INSTALL_PREFIX=/usr to build the .deb")
endif()
set(CPACK_PACKAGE_CONTACT "nvabgpd maintainers <nvabgpd@localhost>")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_STRIP_FILES ON)  # debug info stays in the build tree
# adduser for the postinst; iproute2 is what operators use next to it.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, iproute2")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
# Every shipped filter under /etc is a conffile (dpkg keeps the operator's edits).
set(NVABGPD_CONFFILES "")
file(GLOB NVABGPD_PACKAGED_POLICY RELATIVE ${CMAKE_SOURCE_DIR}/policy/filters
     ${CMAKE_SOURCE_DIR}/policy/filters/*.conf)
foreach(f ${NVABGPD_PACKAGED_POLICY})
  string(APPEND NVABGPD_CONFFILES "/etc/nvabgpd/policy/${f}\n")
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/deb/conffiles "${NVABGPD_CONFFILES}")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${CMAKE_CURRENT_LIST_DIR}/deb/postinst;${CMAKE_CURRENT_LIST_DIR}/deb/postrm;${CMAKE_BINARY_DIR}/deb/conffiles")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
