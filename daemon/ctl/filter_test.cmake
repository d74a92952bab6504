# `nvabgpctl filter test` (owned by the policy engineer): include() this from the ctl
# CMakeLists, link nvabgpd_ctl_filter_test into nvabgpctl and call
# nvabgpd::ctl::add_filter_commands(app, &exit_code) from its main.
if(NOT TARGET nvabgpd_ctl_filter_test)
  add_library(nvabgpd_ctl_filter_test STATIC ${CMAKE_CURRENT_LIST_DIR}/filter_test.cpp)
  target_include_directories(nvabgpd_ctl_filter_test PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(nvabgpd_ctl_filter_test PUBLIC nvabgpd::policy PRIVATE fmt::fmt)
  nvabgpd_warnings(nvabgpd_ctl_filter_test)
endif()
