"""Sample tool: echo the event back with a little context."""
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
    }
