"""lambda-mcp local: Python worker speaking the emulator's line protocol.

Requests arrive one JSON object per line on fd $LMCP_REQUEST_FD; each answer is one JSON line on fd
$LMCP_RESPONSE_FD. stdout and stderr are the function's log; after each invocation a sentinel line marks
the end of its output. The handler is loaded once (init phase) and reused while the worker stays warm.
"""
import importlib
import json
import os
import sys
import time
import traceback

SENTINEL = "\x1eLMCP-END "


def _write_response(out, obj):
    out.write(json.dumps(obj) + "\n")
    out.flush()


def _end_log(request_id):
    sys.stderr.flush()
    sys.stdout.write(SENTINEL + request_id + "\n")
    sys.stdout.flush()


def _error_object(exc, request_id=None, error_type=None):
    tb = traceback.extract_tb(exc.__traceback__)
    obj = {
        "errorMessage": str(exc),
        "errorType": error_type or type(exc).__name__,
    }
    if request_id:
        obj["requestId"] = request_id
    obj["stackTrace"] = traceback.format_list(tb)
    return obj


class Context:
    def __init__(self, req):
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = req.get("version") or os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = req.get("invokedFunctionArn", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.aws_request_id = req.get("requestId", "")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self.tenant_id = None
        self._deadline_ms = req.get("deadlineMs", 0)
        cc = req.get("clientContext")
        if cc:
            try:
                self.client_context = _ClientContext(json.loads(cc))
            except ValueError:
                self.client_context = None

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()


class _ClientContext:
    def __init__(self, obj):
        self.client = obj.get("client")
        self.custom = obj.get("custom")
        self.env = obj.get("env")


def _load_handler(spec):
    module_path, _, func_name = spec.rpartition(".")
    module_name = module_path.replace("/", ".")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        return None, {"errorMessage": "Unable to import module '%s': %s" % (module_path, exc),
                      "errorType": "Runtime.ImportModuleError", "stackTrace": []}
    except SyntaxError as exc:
        return None, {"errorMessage": "Syntax error in module '%s': %s" % (module_path, exc),
                      "errorType": "Runtime.UserCodeSyntaxError", "stackTrace": []}
    except Exception as exc:  # errors raised while the module initialises
        return None, _error_object(exc)
    handler = getattr(module, func_name, None)
    if handler is None:
        return None, {"errorMessage": "Handler '%s' missing on module '%s'" % (func_name, module_path),
                      "errorType": "Runtime.HandlerNotFound", "stackTrace": []}
    return handler, None


def main():
    req_in = os.fdopen(int(os.environ.get("LMCP_REQUEST_FD", "3")), "r", encoding="utf-8")
    res_out = os.fdopen(int(os.environ.get("LMCP_RESPONSE_FD", "4")), "w", encoding="utf-8")
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    sys.path.insert(0, task_root)
    handler, init_error = _load_handler(os.environ["_HANDLER"])
    if init_error:
        print("[ERROR] %s: %s" % (init_error["errorType"], init_error["errorMessage"]), file=sys.stderr)
    _end_log("init")
    if init_error:
        _write_response(res_out, {"type": "init_error", "error": init_error})
        return 1
    _write_response(res_out, {"type": "ready"})

    for line in req_in:
        req = json.loads(line)
        request_id = req["requestId"]
        # As Lambda does: the invocation's X-Amzn-Trace-Id is the environment's _X_AMZN_TRACE_ID.
        if req.get("traceId"):
            os.environ["_X_AMZN_TRACE_ID"] = req["traceId"]
        else:
            os.environ.pop("_X_AMZN_TRACE_ID", None)
        try:
            event = json.loads(req["event"])
            result = handler(event, Context(req))
            try:
                payload = json.dumps(result)
            except (TypeError, ValueError) as exc:
                response = {"ok": False, "error": {
                    "errorMessage": "Unable to marshal response: %s" % exc,
                    "errorType": "Runtime.MarshalError", "requestId": request_id, "stackTrace": []}}
            else:
                response = {"ok": True, "payload": payload}
        except Exception as exc:
            err = _error_object(exc, request_id)
            print("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (
                err["errorType"], err["errorMessage"], "".join(err["stackTrace"])), file=sys.stderr, end="")
            response = {"ok": False, "error": err}
        except SystemExit:
            raise
        _end_log(request_id)
        _write_response(res_out, response)
    return 0


if __name__ == "__main__":
    sys.exit(main())
