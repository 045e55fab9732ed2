# The Debian package (make package): CPack's DEB generator over the install rules below,
# packing what the normal build made -- no build of its own. The package holds paddockd and
# paddock (stripped), /etc/paddock/zoo.cfg (a conffile), the systemd unit, and the sysusers.d
# and tmpfiles.d files from which the postinst makes the paddock user and /var/lib/paddock.
# Checked by lintian and systemd-analyze (make package), and installed into a throw-away root
# by tests/integration/test_package.py.

# `cpack` runs the install step; it must not first build every target of the build dir
# (test binaries, benchmarks): the package needs only paddockd and paddock, which the
# `package` target of the Makefile builds first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY TRUE)

set(_pkg ${CMAKE_CURRENT_LIST_DIR})
if(TARGET paddockd AND TARGET paddock)
  install(TARGETS paddockd paddock RUNTIME DESTINATION bin)
endif()
install(FILES ${_pkg}/zoo.cfg DESTINATION /etc/paddock)
# Debian 12 (bookworm) keeps units under /lib/systemd/system (merged /usr comes later).
install(FILES ${_pkg}/paddock.service DESTINATION /lib/systemd/system)
install(FILES ${_pkg}/sysusers.conf DESTINATION lib/sysusers.d RENAME paddock.conf)
install(FILES ${_pkg}/tmpfiles.conf DESTINATION lib/tmpfiles.d RENAME paddock.conf)
install(FILES ${_pkg}/copyright DESTINATION share/doc/paddock)
install(FILES ${_pkg}/lintian-overrides DESTINATION share/lintian/overrides RENAME paddock)
# A native package's changelog, compressed as Debian policy asks (gzip -9n: no name, no time).
set(_changelog_gz ${CMAKE_BINARY_DIR}/packaging/changelog.gz)
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/packaging)
execute_process(COMMAND gzip -9nc ${_pkg}/changelog OUTPUT_FILE ${_changelog_gz})
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_pkg}/changelog)
install(FILES ${_changelog_gz} DESTINATION share/doc/paddock)
foreach(_page paddockd.1 paddock.1)
  execute_process(COMMAND gzip -9nc ${_pkg}/man/${_page}
                  OUTPUT_FILE ${CMAKE_BINARY_DIR}/packaging/${_page}.gz)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${_pkg}/man/${_page})
  install(FILES ${CMAKE_BINARY_DIR}/packaging/${_page}.gz DESTINATION share/man/man1)
endforeach()

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME paddock)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "Paddock maintainers <paddock@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "ZooKeeper-compatible coordination service")
# The extended description; CPack puts the summary above it and indents each line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Paddock does what Apache ZooKeeper does and speaks its client protocol, so
existing ZooKeeper clients and tools work against it unchanged: configuration,
naming, leader election, locks, group membership and queues for distributed
systems. Servers form replicated ensembles with ZAB, also with ZooKeeper 3.8.

This package installs paddockd as the systemd service paddock.service, its
configuration /etc/paddock/zoo.cfg, its data directory /var/lib/paddock, and
the operator's tool paddock.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The postinst runs systemd-sysusers and systemd-tmpfiles.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${_pkg}/postinst ${_pkg}/prerm ${_pkg}/postrm ${_pkg}/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_DEBIAN_COMPRESSION_TYPE xz)
include(CPack)
