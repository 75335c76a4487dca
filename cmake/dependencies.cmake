# Every third-party dependency comes from Debian 12 packages (scripts/bootstrap installs them).
find_package(Threads REQUIRED)
find_package(PkgConfig REQUIRED)
find_package(Boost 1.74 REQUIRED)  # header-only parts: Asio, Beast
find_package(CLI11 REQUIRED)

pkg_check_modules(GRPCPP REQUIRED IMPORTED_TARGET grpc++)
pkg_check_modules(PROTOBUF REQUIRED IMPORTED_TARGET protobuf)
pkg_check_modules(SIMDJSON REQUIRED IMPORTED_TARGET simdjson)
pkg_check_modules(YAMLCPP REQUIRED IMPORTED_TARGET yaml-cpp)
pkg_check_modules(SPDLOG REQUIRED IMPORTED_TARGET spdlog)
pkg_check_modules(FMT REQUIRED IMPORTED_TARGET fmt)
pkg_check_modules(ZSTD REQUIRED IMPORTED_TARGET libzstd)
pkg_check_modules(LZ4 REQUIRED IMPORTED_TARGET liblz4)
pkg_check_modules(SNAPPY REQUIRED IMPORTED_TARGET snappy)
pkg_check_modules(ZLIB REQUIRED IMPORTED_TARGET zlib)
pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
pkg_check_modules(OPENSSL REQUIRED IMPORTED_TARGET openssl)
pkg_check_modules(CURL REQUIRED IMPORTED_TARGET libcurl)
pkg_check_modules(HYPERSCAN IMPORTED_TARGET libhs)
# RE2 (Go regexp syntax, linear time) for the redaction processor; libre2-dev is already a
# dependency of Debian's libgrpc-dev.
pkg_check_modules(RE2 REQUIRED IMPORTED_TARGET re2)

find_program(PROTOC protoc REQUIRED)

if(AGENTGATE_BUILD_TESTS)
  find_package(GTest REQUIRED)
endif()
if(AGENTGATE_BUILD_BENCH)
  find_package(benchmark REQUIRED)
endif()
