"""Sample tool: echo the event back with a little context, including the caller's trace context: the X-Ray
trace header Lambda puts in _X_AMZN_TRACE_ID and the W3C traceparent/tracestate lambda-mcp sends in the
client context's `custom`."""
import os


def handler(event, context):
    print("echo from %s" % context.function_name)
    return {
        "echo": event,
        "function": context.function_name,
        "version": context.function_version,
        "stage": os.environ.get("STAGE"),
        "remainingMs": context.get_remaining_time_in_millis(),
        "clientContext": getattr(context.client_context, "custom", None),
        "traceId": os.environ.get("_X_AMZN_TRACE_ID"),
    }
