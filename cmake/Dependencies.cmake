# Every third-party dependency, all from Debian 12 packages (scripts/setup.sh installs them).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(OpenSSL REQUIRED)
find_package(GTest REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(yaml-cpp REQUIRED)
find_package(Boost 1.81 REQUIRED CONFIG)  # headers only: Asio and Beast (Debian's libboost1.81-dev)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)  # PkgConfig::HTTPLIB (Debian builds it as a .so)
pkg_check_modules(HIREDIS REQUIRED IMPORTED_TARGET hiredis)  # PkgConfig::HIREDIS: only src/state links it
if(LMCP_BENCH)
  find_package(benchmark REQUIRED)
endif()
# valijson is header-only under /usr/include/valijson.
