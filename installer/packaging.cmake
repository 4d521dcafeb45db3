# Packaging: `cpack --preset release` (or `cd build/release && cpack`) makes a Debian package
# with tasklaned, tasklane-console, a systemd unit and an example configuration.
install(FILES ${CMAKE_CURRENT_LIST_DIR}/tasklaned.service DESTINATION lib/systemd/system)
install(FILES ${CMAKE_CURRENT_LIST_DIR}/tasklane.ini.example DESTINATION share/doc/tasklane)

set(CPACK_PACKAGE_NAME tasklane)
set(CPACK_PACKAGE_VENDOR "Tasklane team")
set(CPACK_PACKAGE_CONTACT "Tasklane team <packaging@tasklane.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Self-hosted multi-user task manager (server and console)")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The packages marked `runtime` in the one package list (what shlibdeps cannot see).
file(STRINGS ${PROJECT_SOURCE_DIR}/scripts/debian-packages.txt tasklane_runtime_packages
     REGEX "^[a-z0-9.+-]+[ \t]+runtime")
list(TRANSFORM tasklane_runtime_packages REPLACE "[ \t]+runtime.*$" "")
list(JOIN tasklane_runtime_packages ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/debian/postinst
    ${CMAKE_CURRENT_LIST_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
