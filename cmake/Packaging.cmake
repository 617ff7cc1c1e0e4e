# The Debian package (CPack DEB): the sqlgate binary, one hardened systemd unit per role and
# example configurations. Included from the top CMakeLists.txt.
#
#   scripts/package.sh                    # builds the Release tree and runs cpack
#   cpack --config build/CPackConfig.cmake -B build   # by hand, after a build
#
# -> build/sqlgate_<version>_<arch>.deb
#
# cpack packages what has been built: its preinstall step does not build the whole tree
# (the tests are not packaged), so build sqlgate first.
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

set(SQLGATE_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH
    "Where the package installs the systemd units")
set(SQLGATE_PACKAGE_MAINTAINER "sqlgate maintainers <sqlgate-maintainers@example.invalid>"
    CACHE STRING "The Maintainer field of the Debian package")

set(SQLGATE_PACKAGING_DIR ${PROJECT_SOURCE_DIR}/packaging)
set(SQLGATE_ROLES gatekeeper trusted-host proxy)
set(SQLGATE_ROLE_DESCRIPTION_gatekeeper
    "the public front (authentication, SQL firewall, rate limits, audit, HTTPS API)")
set(SQLGATE_ROLE_DESCRIPTION_trusted-host
    "the internal hop that re-checks the policy and holds the credentials")
set(SQLGATE_ROLE_DESCRIPTION_proxy
    "the read/write-splitting MySQL proxy in front of the primary and its replicas")

# The units, one per role, from a single template so their hardening cannot drift apart.
set(SQLGATE_BINARY /usr/bin/sqlgate)
foreach(ROLE IN LISTS SQLGATE_ROLES)
  set(DESCRIPTION "${SQLGATE_ROLE_DESCRIPTION_${ROLE}}")
  configure_file(${SQLGATE_PACKAGING_DIR}/systemd/sqlgate-role.service.in
                 ${PROJECT_BINARY_DIR}/packaging/systemd/sqlgate-${ROLE}.service @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/packaging/systemd/sqlgate-${ROLE}.service
          DESTINATION ${SQLGATE_SYSTEMD_UNIT_DIR})
endforeach()

# The binary itself is installed by src/cli (bin/ under the packaging prefix /usr).
install(FILES
          ${SQLGATE_PACKAGING_DIR}/examples/README
          ${SQLGATE_PACKAGING_DIR}/examples/gatekeeper.toml
          ${SQLGATE_PACKAGING_DIR}/examples/trusted-host.toml
          ${SQLGATE_PACKAGING_DIR}/examples/trusted-host.secrets
          ${SQLGATE_PACKAGING_DIR}/examples/proxy.toml
        DESTINATION share/doc/sqlgate/examples)

# The audit log's rotation (SIGUSR1 reopens it): the one file under /etc, a conffile.
install(FILES ${SQLGATE_PACKAGING_DIR}/logrotate/sqlgate DESTINATION /etc/logrotate.d)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sqlgate)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "${SQLGATE_PACKAGE_MAINTAINER}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)          # sqlgate_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${SQLGATE_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "gatekeeper and read/write-splitting proxy for MySQL and MariaDB")
# The extended description; CPack puts the summary above it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "sqlgate puts a MariaDB/MySQL primary and its replicas behind two cloud design
patterns: a public gatekeeper (TLS, authentication, SQL firewall, rate limits,
JSON audit log, HTTPS API) that holds no database credentials, an internal
trusted host that re-checks every statement and alone holds the credentials,
and a proxy that sends writes to the primary and spreads reads over the
replicas (direct, random or lowest-latency). Every hop speaks the MySQL
protocol over mutual TLS.

This package installs /usr/bin/sqlgate, a hardened systemd unit per role
(not enabled) and example configurations.")
# Library dependencies from dpkg-shlibdeps (dpkg-dev); adduser for the postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "systemd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${SQLGATE_PACKAGING_DIR}/debian/conffiles
    ${SQLGATE_PACKAGING_DIR}/debian/postinst
    ${SQLGATE_PACKAGING_DIR}/debian/prerm
    ${SQLGATE_PACKAGING_DIR}/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# A source package must never pick up build trees or the local run's secrets.
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/\\\\.sqlgate/" "/bench/results/")

include(CPack)
