"""Handlers of the MCP tasks e2e tests (tasks_template.yaml): slow20 sleeps, then answers from its input, so a
test can tell its result from any other; fire only logs (invoked with Event)."""
import time


def slow20(event, context):
    time.sleep(20)
    return {"doubled": 2 * event.get("n", 0), "shout": str(event.get("word", "")).upper(), "slept": 20}


def fire(event, context):
    print("fired %s" % event.get("label"))
    return {"fired": True}
