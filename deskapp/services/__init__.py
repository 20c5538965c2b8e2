"""The domain: one module per area. Plain values in, frozen dataclasses out, one transaction
per call with the permission check, the audit entry and the change event inside it.

Every list is read a page at a time in one shape: `after`, the last record of the previous page
(None for the first page), and `limit`; the service keysets on that record's sort key and id,
never OFFSET (a ranked search continues after the hit's rank). The conversation alone pages
backwards, from the newest message, so it takes `before`, the oldest message already shown.
Writes go through deskapp.db.transaction.write_transaction.
"""
