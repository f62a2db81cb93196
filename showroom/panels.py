"""What the showroom stages add to the customer page (leads' CustomerDetailView): each entry is
loaded in a constant number of queries, whatever the customer's history."""


def customer_panels(*, customer, user) -> dict:
    """Context for templates/showroom/_customer_panels.html."""
    return {}
