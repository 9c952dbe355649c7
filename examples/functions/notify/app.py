"""Sample tool: a notification, fire and forget. Tagged mcp:invocation-type=Event, so lambda-mcp invokes it
asynchronously: Lambda queues the event and the call returns at once with the request id; what this handler
returns is never seen by the caller (its log shows the notification)."""


def lambda_handler(event, context):
    channel = event.get("channel", "ops")
    message = event.get("message", "")
    print("notify #%s: %s (request %s)" % (channel, message, context.aws_request_id))
    return {"delivered": True, "channel": channel}
