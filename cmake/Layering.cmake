# Writes the link graph of every target the modules declare to ${CMAKE_BINARY_DIR}/layering_links.txt,
# for cmake/check_layering.py (the `layering` CTest), which checks it against the same dependency
# table as the #includes: a module may link only the modules it may depend on, and may include
# another module's headers only if it links that module (not through a bare include path).
# Include this file last in the top-level CMakeLists.txt, once every target_link_libraries ran.
#
# One line per fact, tab-separated, raw property values (generator expressions unevaluated):
#   target <name> <source dir relative to the source root>
#   link   <name> <item of LINK_LIBRARIES or INTERFACE_LINK_LIBRARIES>
#   incdir <name> <item of INCLUDE_DIRECTORIES or INTERFACE_INCLUDE_DIRECTORIES>

function(nvabgpd_layering_collect dir out)
  get_property(targets DIRECTORY "${dir}" PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY "${dir}" PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    nvabgpd_layering_collect("${sub}" sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

set(nvabgpd_layering_text "")
set(nvabgpd_layering_targets nvabgpd_version)
foreach(m ${NVABGPD_MODULES})
  if(EXISTS ${CMAKE_SOURCE_DIR}/${m}/CMakeLists.txt)
    nvabgpd_layering_collect("${CMAKE_SOURCE_DIR}/${m}" found)
    list(APPEND nvabgpd_layering_targets ${found})
  endif()
endforeach()
foreach(t ${nvabgpd_layering_targets})
  if(NOT TARGET ${t})
    continue()
  endif()
  get_target_property(src ${t} SOURCE_DIR)
  file(RELATIVE_PATH src "${CMAKE_SOURCE_DIR}" "${src}")
  string(APPEND nvabgpd_layering_text "target\t${t}\t${src}\n")
  foreach(kind_prop link:LINK_LIBRARIES link:INTERFACE_LINK_LIBRARIES
                    incdir:INCLUDE_DIRECTORIES incdir:INTERFACE_INCLUDE_DIRECTORIES)
    string(REPLACE ":" ";" kind_prop "${kind_prop}")
    list(GET kind_prop 0 kind)
    list(GET kind_prop 1 prop)
    get_target_property(items ${t} ${prop})
    if(items)
      foreach(i ${items})
        string(APPEND nvabgpd_layering_text "${kind}\t${t}\t${i}\n")
      endforeach()
    endif()
  endforeach()
endforeach()
file(WRITE ${CMAKE_BINARY_DIR}/layering_links.txt "${nvabgpd_layering_text}")
