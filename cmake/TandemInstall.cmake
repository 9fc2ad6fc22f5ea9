# Install headers, library and a relocatable package config: find_package(tandem) then
# target_link_libraries(app tandem::tandem).
include(CMakePackageConfigHelpers)

install(TARGETS tandem EXPORT tandemTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY common/include/tandem DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")
install(FILES
  "${PROJECT_BINARY_DIR}/generated/include/tandem/version.hpp"
  "${PROJECT_BINARY_DIR}/generated/include/tandem/export.hpp"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/tandem)

set(TANDEM_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/tandem)
install(EXPORT tandemTargets NAMESPACE tandem:: DESTINATION ${TANDEM_CMAKE_DIR})
configure_package_config_file(cmake/tandemConfig.cmake.in
  "${PROJECT_BINARY_DIR}/tandemConfig.cmake" INSTALL_DESTINATION ${TANDEM_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/tandemConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/tandemConfig.cmake"
              "${PROJECT_BINARY_DIR}/tandemConfigVersion.cmake"
        DESTINATION ${TANDEM_CMAKE_DIR})
