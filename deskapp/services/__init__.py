"""The domain: one module per area. Plain values in, frozen dataclasses out, one transaction
per call with the permission check, the audit entry and the change event inside it."""
