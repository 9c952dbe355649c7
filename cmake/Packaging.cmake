# `cmake --install` and the Debian package (cpack -G DEB). The layout is relocatable: lambda-mcp finds its local
# runtimes at ../share/lambda-mcp/runtimes from its own path, wherever the prefix is.
include(GNUInstallDirs)
install(TARGETS lambda-mcp RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/src/emulator/runtimes/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lambda-mcp/runtimes)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/lambda-mcp/examples
        PATTERN node_modules EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/README.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/lambda-mcp)  # not DOCDIR: that takes the project name, lambda_mcp

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME lambda-mcp)
set(CPACK_PACKAGE_VENDOR "lambda-mcp")
set(CPACK_PACKAGE_CONTACT "lambda-mcp maintainers <maintainers@lambda-mcp.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "MCP server exposing AWS Lambda functions as tools")
set(CPACK_PACKAGE_DESCRIPTION
    "lambda-mcp lets MCP clients (Claude Desktop, Cursor, VS Code, agents) discover AWS Lambda functions and call\n them as tools, over stdio or Streamable HTTP, with a local Lambda endpoint for development.")
set(CPACK_RESOURCE_FILE_LICENSE ${PROJECT_SOURCE_DIR}/LICENSE)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # lambda-mcp_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the shared libraries the binary links (dpkg-shlibdeps)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "ca-certificates")  # TLS to AWS verifies against the system CA store
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3, nodejs")  # `lambda-mcp local` runs Python and Node handlers
include(CPack)
