#pragma once
// Command-line options of `lambda-mcp local`, registered on a CLI11 (sub)command; shared by the lambda-mcp
// binary (src/app/cmd_local.cc) and the standalone lambda-mcp-local tool. Requests from web pages (foreign
// Origin or Host) are refused; on a non-loopback --host the demo credentials are too.

#include <CLI/CLI.hpp>

#include "emulator/local_endpoint.h"

namespace lmcp::emulator {

inline void AddLocalOptions(CLI::App& app, LocalOptions& o) {
  app.add_option("-t,--template", o.template_path,
                 "SAM template (template.yaml) with the functions to serve");
  app.add_option("--host", o.host,
                 "Address to listen on. Other than loopback it needs your own --secret-access-key. Browser "
                 "requests (a foreign Origin) get 403; so do requests whose Host is not a loopback name (on "
                 "loopback), and /__admin requests whose Host is neither a loopback name nor an IP address")
      ->capture_default_str();
  app.add_option("-p,--port", o.port, "Port; 0 picks a free one")->capture_default_str();
  app.add_option("--region", o.region, "Region the endpoint answers for")->capture_default_str();
  app.add_option("--account-id", o.account_id, "Account id in ARNs")->capture_default_str();
  app.add_option("--access-key-id", o.access_key_id,
                 "Access key id requests must be signed with (the built-in demo key works on loopback only)")
      ->capture_default_str();
  app.add_option("--secret-access-key", o.secret_access_key,
                 "Secret access key requests must be signed with; required with a non-loopback --host");
  app.add_option("--session-token", o.session_token, "Session token requests must carry (optional)");
  app.add_flag("!--no-auth", o.check_signatures, "Accept unsigned or wrongly signed requests");
  app.add_option("--synthetic-functions", o.synthetic_functions, "Add N echo functions (paging, benchmarks)");
  app.add_option("--synthetic-prefix", o.synthetic_prefix, "Name prefix of synthetic functions")
      ->capture_default_str();
  app.add_option("--synthetic-tag", o.synthetic_tags,
                 "key=value tag on every synthetic function (repeatable)");
  app.add_flag("--echo", o.echo_all,
               "Zero-work mode: every function returns its event without running a process");
  app.add_option(
      "--fault", o.fault_flags,
      "Fault rule <operation>[@function]:<type>[=value][,count=N][,skip=N] (repeatable), types: "
      "latency=MS, error=STATUS, throttle=RETRY_AFTER_S, reset, reset_before_body, reset_after_body, "
      "malformed[=STATUS], deny");
  app.add_option("--deny", o.deny_flags,
                 "IAM_ACTION[@function]: remove one permission, as IAM would (repeatable); the operation "
                 "answers AccessDenied for user lambda-mcp-local. Actions: lambda:InvokeFunction, "
                 "lambda:ListFunctions, lambda:GetFunction, lambda:ListTags, tag:GetResources, "
                 "schemas:DescribeSchema");
  app.add_option("--faults-file", o.faults_file, "JSON or YAML list of fault rules");
  app.add_option("--account-concurrency", o.account_concurrency, "Account-wide concurrent invocation limit")
      ->capture_default_str();
  app.add_option("--runtimes-dir", o.runtimes_dir, "Directory of python_bootstrap.py and node_bootstrap.js");
  app.add_option("--python", o.python, "Python interpreter")->capture_default_str();
  app.add_option("--node", o.node, "Node.js interpreter")->capture_default_str();
  app.add_flag("--strict", o.strict, "Fail on template parts that are not emulated instead of warning");
  app.add_option("--max-body-bytes", o.max_body_bytes,
                 "Largest request body (Content-Length or chunked); 413 above")
      ->capture_default_str()
      ->check(CLI::Range(size_t{1}, size_t{1} << 32));
  app.add_option("--header-timeout-ms", o.header_timeout_ms,
                 "A request's line and headers must arrive within this, else 408 and close")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option(
         "--idle-timeout-ms", o.idle_timeout_ms,
         "Longest silence while a body arrives (408), and between requests on a kept-alive connection")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_option("--max-connections", o.max_connections,
                 "Connections served at once; one more gets 503 and is closed (checked against ulimit -n)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

}  // namespace lmcp::emulator
