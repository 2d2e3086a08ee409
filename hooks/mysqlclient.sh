#!/bin/sh
# Before-all hook for mysqlclient: its setup.py asks pkg-config for the MariaDB
# client flags, so both the library headers and pkg-config must be present.
set -eu
apk add --no-cache mariadb-connector-c-dev pkgconf
pkg-config --exists libmariadb || pkg-config --exists mariadb
