"""Sample tool: a long batch job. Works for `seconds` (default 3, at most 110) and returns a summary. Its
Timeout is 120 s, over lambda-mcp's 60-second task threshold, so it is task-optional: a client that supports
MCP tasks gets a task at once and polls it, instead of holding its request open (and timing out)."""
import time


def lambda_handler(event, context):
    seconds = float(event.get("seconds", 3))
    if not 0 <= seconds <= 110:
        raise ValueError("seconds must be 0-110")
    dataset = event.get("dataset", "orders")
    started = time.time()
    steps = max(1, int(seconds))
    for i in range(steps):
        time.sleep(seconds / steps)
        print("batch %s: step %d/%d done" % (dataset, i + 1, steps))
    return {
        "dataset": dataset,
        "rows": 1000 * steps,
        "seconds": round(time.time() - started, 2),
        "requestId": context.aws_request_id,
    }
