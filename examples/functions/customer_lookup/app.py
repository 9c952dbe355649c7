"""Sample tool: look up a customer by id or email (schema: mcp.samples@CustomerLookup)."""
import json

CUSTOMERS = {
    "C001": {"customerId": "C001", "name": "Ada Lovelace", "email": "ada@example.com", "tier": "gold"},
    "C002": {"customerId": "C002", "name": "Alan Turing", "email": "alan@example.com", "tier": "silver"},
    "C003": {"customerId": "C003", "name": "Grace Hopper", "email": "grace@example.com", "tier": "gold"},
}


class CustomerNotFound(Exception):
    pass


def lambda_handler(event, context):
    print("lookup request %s for %s" % (context.aws_request_id, json.dumps(event, sort_keys=True)))
    customer_id = event.get("customerId")
    email = event.get("email")
    if not customer_id and not email:
        raise ValueError("Provide customerId or email")
    for customer in CUSTOMERS.values():
        if customer["customerId"] == customer_id or (email and customer["email"] == email.lower()):
            return {"found": True, "customer": customer, "servedBy": context.function_version}
    raise CustomerNotFound("No customer matches %s" % (customer_id or email))
