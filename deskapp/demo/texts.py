"""The words of the demo's tickets: what clients write about, per department, how staff
answer, and the canned replies. Kept apart from the code that turns them into conversations."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Scenario:
    """What a ticket is about, with the words of its conversation ({first}, {service}, …)."""

    subject: str
    opening: str
    reply: str
    follow_up: str
    note: str
    tags: str = ""


# fmt: off
SCENARIOS = {
    "Support": (
        Scenario("Wi-Fi drops every evening", "Hi, our Wi-Fi drops several times every evening "
                 "between 7 and 10. The router lights stay green.", "Hi {first}, thanks for the "
                 "details. Could you try moving the router off the floor and tell us if it helps?",
                 "Moved it, still dropping, less often though.", "Looks like channel congestion; "
                 "suggest switching to 5 GHz.", "wifi"),
        Scenario("Cannot send mail from Outlook", "Outlook says the server rejected my password "
                 "when sending, receiving works fine.", "Hi {first}, outgoing mail needs port 587 "
                 "with STARTTLS. I've sent the settings to your inbox.", "That fixed it on the "
                 "laptop, the phone still fails.", "Same settings issue on iOS Mail.", "mail"),
        Scenario("Website shows a certificate warning", "Visitors to {service} get a security "
                 "warning since this morning.", "Hi {first}, the certificate renewal failed "
                 "because the domain pointed elsewhere for a day. I've reissued it.", "Still see "
                 "the warning in Chrome.", "Check HSTS cache on client side before escalating.",
                 "ssl,hosting"),
        Scenario("Help moving mailboxes from old provider", "We are moving five mailboxes to you "
                 "and need help copying ten years of mail.", "Hi {first}, we can do the "
                 "migration for you. I've attached an estimate to this ticket.", "Can we do it "
                 "over the weekend?", "Client has prepaid hours, log the time.", "migration"),
        Scenario("Slow speeds on the 1 Gbit line", "Speed tests show 200 Mbit/s at most on a "
                 "line that should do 1000.", "Hi {first}, could you run the test on a cable, "
                 "not over Wi-Fi? Wi-Fi caps most laptops around 300.", "On a cable I get 940. "
                 "Thanks!", "Line profile checked: OK.", "speed"),
        Scenario("Reset the hosting control panel password", "I locked myself out of the control "
                 "panel for {service}.", "Hi {first}, I've sent a reset link to the billing "
                 "contact's address.", "Got it, thank you.", "Verified caller by phone first.",
                 "account"),
    ),
    "Billing": (
        Scenario("Charged twice this month", "I see two charges on my card for {invoice}.",
                 "Hi {first}, you're right, the second charge was a retry that went through. "
                 "I've refunded it; it takes 5–10 days to show.", "Thanks, I'll keep an eye out.",
                 "Gateway retry bug; refunded manually.", "refund"),
        Scenario("Please change the invoice address", "Our accounts team moved; can invoices go "
                 "to the new address from next month on?", "Hi {first}, done: the next invoice "
                 "goes to the new address.", "And can you reissue {invoice}?",
                 "Old invoices keep their snapshot address.", "address"),
        Scenario("Why is this invoice higher?", "{invoice} is higher than last month and I don't "
                 "know why.", "Hi {first}, the promotional price ended after twelve months; the "
                 "line is now at the standard price.", "Can we get the promotion again?",
                 "Offer loyalty discount if they push.", "pricing"),
        Scenario("Pay by bank transfer instead", "Can we pay {invoice} by bank transfer? Card is "
                 "blocked.", "Hi {first}, of course: use the invoice number as reference.",
                 "Sent today.", "Match manually when it arrives.", "payment"),
    ),
    "Outage": (
        Scenario("No internet since this morning", "Our line {service} has been down since "
                 "about 7am; the router shows a red LOS light.", "Hi {first}, we see a fibre cut "
                 "in your street; engineers are on site. I'll update you here.", "Any news? We "
                 "need it for payroll today.", "Openreach ref CUT-55812, ETA 14:00.", "fibre,los"),
        Scenario("Phones cannot make outgoing calls", "All our lines on {service} get a busy "
                 "tone for outgoing calls; incoming works.", "Hi {first}, a carrier route "
                 "failed; we've moved your calls to the backup route.", "Works again, thanks.",
                 "Carrier incident INC-2231.", "voice"),
        Scenario("Server not reachable", "{service} stopped answering ping and SSH an hour ago.",
                 "Hi {first}, the host had a disk controller failure; your VPS is being moved.",
                 "It's back, but the clock is off by an hour.", "Migrated to node vh-07.",
                 "vps"),
        Scenario("Packet loss to our office", "Traceroute attached: heavy loss after the second "
                 "hop to {service}.", "Hi {first}, thanks for the traceroute; a line card on the "
                 "aggregation router is erroring. We've failed over.", "Loss is gone.",
                 "Card swap scheduled Thursday night.", "packet-loss"),
    ),
    "Sales": (
        Scenario("Quote for a second office", "We're opening a second office in spring; can you "
                 "quote fibre and 10 phone lines?", "Hi {first}, happy to. The office bundle "
                 "covers it; I've sent a quote.", "Can you match 15% less?", "Decision in April.",
                 "quote"),
        Scenario("Upgrade from Fibre 300", "What would it cost to go to 1 Gbit?", "Hi {first}, "
                 "the upgrade is free to order; the monthly price goes up by 30.00.",
                 "Let's do it from next month.", "Warm lead, follow up.", "upgrade"),
        Scenario("Do you offer static IPs?", "Do your home lines come with a static IP?",
                 "Hi {first}, a static IP is included with business lines, and available on "
                 "home lines for 5.00 a month.", "Okay, I'll think about it.", "", "ip"),
    ),
}
"""Conversations per department; Orders tickets are written from their order instead."""

ROUTER_SCENARIO = Scenario(
    "Router keeps rebooting",
    "Since the firmware update last week the router reboots every hour or so. Log below:\n"
    "  ERR 0x1f watchdog reset\n  ERR 0x1f watchdog reset",
    "Hi {first}, we'll push the fixed firmware tonight.", "It rebooted twice more this morning.",
    "Known watchdog bug in the last firmware; the fixed build goes out tonight.", "router,firmware",
)
"""The ticket two clients (C-1059 and C-1134) open about the same firmware bug, with a log."""

CANNED = (
    ("Greeting", None, "Hi {client_name},\n\nThanks for contacting Bluebay Networks about "
     "ticket {ticket_number}.\n"),
    ("Fibre cut in the area", "Outage", "Hi {client_name},\n\nThere is a fibre cut in your "
     "area; engineers are on site. We'll update {ticket_number} as soon as we know more.\n"),
    ("Router restart steps", "Support", "Please unplug the router for 30 seconds, plug it back "
     "in and wait five minutes for all lights to turn green.\n"),
    ("Refund issued", "Billing", "Hi {client_name},\n\nWe've issued the refund; it shows on "
     "your statement within 5–10 working days.\n"),
    ("Order approved", "Orders", "Hi {client_name},\n\nYour order is approved and the service "
     "starts on {start_date}. Welcome aboard!\n"),
    ("Closing: no reply", None, "We haven't heard back in a week, so we're closing "
     "{ticket_number}. Reply to reopen it any time.\n"),
)
# fmt: on
