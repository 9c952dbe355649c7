# Streamable HTTP transport (owned by the http branch). Included from src/transport/CMakeLists.txt.
add_library(lmcp_transport_http STATIC
  ${CMAKE_CURRENT_LIST_DIR}/http_policy.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_session.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_auth.cc
  ${CMAKE_CURRENT_LIST_DIR}/jwt_verifier.cc
  ${CMAKE_CURRENT_LIST_DIR}/http_server.cc)
target_link_libraries(lmcp_transport_http
  PUBLIC lmcp_common nlohmann_json::nlohmann_json
  PRIVATE PkgConfig::HTTPLIB spdlog::spdlog OpenSSL::Crypto CURL::libcurl)
lmcp_warnings(lmcp_transport_http)

lmcp_unit_test(transport_http_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/http_policy_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/http_session_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/http_server_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/jwt_verifier_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/http_test_util.cc
  LIBS lmcp_transport_http PkgConfig::HTTPLIB OpenSSL::Crypto spdlog::spdlog)
