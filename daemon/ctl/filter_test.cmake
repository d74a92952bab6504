# `nvabgpctl filter test` (owned by the policy engineer): include() this from the ctl
# CMakeLists, link nvabgpd_ctl_filter_test into nvabgpctl and call
# nvabgpd::ctl::add_filter_commands(app, &exit_code, daemon_call) from its main.
# nvabgpd_filter_route (the route and result forms) is also linked by the daemon, which answers
# `filter test --peer` with the same forms.
find_package(nlohmann_json REQUIRED)
if(NOT TARGET nvabgpd_filter_route)
  add_library(nvabgpd_filter_route STATIC ${CMAKE_CURRENT_LIST_DIR}/filter_route.cpp)
  target_include_directories(nvabgpd_filter_route PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(nvabgpd_filter_route PUBLIC nvabgpd::policy nlohmann_json::nlohmann_json PRIVATE fmt::fmt)
  nvabgpd_warnings(nvabgpd_filter_route)
endif()
if(NOT TARGET nvabgpd_ctl_filter_test)
  add_library(nvabgpd_ctl_filter_test STATIC ${CMAKE_CURRENT_LIST_DIR}/filter_test.cpp)
  target_include_directories(nvabgpd_ctl_filter_test PUBLIC ${CMAKE_CURRENT_LIST_DIR})
  target_link_libraries(nvabgpd_ctl_filter_test PUBLIC nvabgpd::policy nvabgpd_filter_route PRIVATE fmt::fmt)
  nvabgpd_warnings(nvabgpd_ctl_filter_test)
endif()
