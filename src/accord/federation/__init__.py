"""The federation protocol between nations' nodes (pure: no I/O): signed requests, transactions
of envelopes, signed receipts, and the delivery backoff. The node's delivery worker and the
federation route put it on the wire (``accord.node.delivery``, ``accord.api.federation_routes``).
"""
