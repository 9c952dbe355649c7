# lambda-mcp as a container image, built from this repository's Debian package.
#   docker build -t lambda-mcp .
#   docker run -i --rm -e AWS_REGION -e AWS_ACCESS_KEY_ID -e AWS_SECRET_ACCESS_KEY -e FUNCTION_PREFIX=mcp- lambda-mcp serve
#   docker run --rm -p 8080:8080 -e LAMBDA_MCP_AUTH_TOKEN ... lambda-mcp serve --http 0.0.0.0:8080
# The HEALTHCHECK probes /healthz on port 8080, so it applies to `serve --http 0.0.0.0:8080`; for stdio, run with
# --no-healthcheck. tests/package/dockerfile_check.py checks this file's rules in `make test`.

FROM debian:12-slim AS build
WORKDIR /src
COPY scripts/setup.sh scripts/setup.sh
RUN SKIP_NPM=1 scripts/setup.sh --package && rm -rf /var/lib/apt/lists/*
COPY . .
# .git stays out of the build context: `docker build --build-arg LMCP_COMMIT=$(git rev-parse --short=12 HEAD) .`
ARG LMCP_COMMIT=unknown
RUN LMCP_COMMIT="$LMCP_COMMIT" scripts/package.sh /build /out

FROM debian:12-slim
COPY --from=build /out/ /tmp/package/
RUN apt-get update \
 && apt-get install -y --no-install-recommends /tmp/package/lambda-mcp_*.deb \
 && rm -rf /var/lib/apt/lists/* /tmp/package \
 && useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin lambda-mcp
USER 10001:10001
# The audit key and other state: writable by the non-root user.
ENV XDG_STATE_HOME=/tmp/lambda-mcp-state
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["lambda-mcp"]
CMD ["serve"]
