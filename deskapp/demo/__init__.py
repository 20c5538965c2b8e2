"""Deterministic demo data (`load_demo`) and bulk seeding for scale tests (`seed_clients`).

The demo is a small ISP and hosting business, Bluebay Networks: about two hundred clients with
contacts and services, a year of invoices and payments, a credit ledger, orders in every state
(several waiting for approval), and tickets in every status and department. The same seed on
the same frozen clock gives the same rows, byte for byte; every date is relative to
deskapp.clock, so the demo always looks current.
"""

from deskapp.demo.catalogue import insert_catalogue
from deskapp.demo.desk import DEMO_SEED, DEMO_STAFF, load_demo
from deskapp.demo.seed import seed_clients

__all__ = ["DEMO_SEED", "DEMO_STAFF", "insert_catalogue", "load_demo", "seed_clients"]
