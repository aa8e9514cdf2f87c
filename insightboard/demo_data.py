"""What the demo's teams are: where they sit, when and where they meet, which customers
they talk to and what those customers told them. Each team has its own; a customer
heard by two teams is in SHARED_CUSTOMERS, on purpose (insightboard/demo.py loads it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from insights.models import Customer
from meetings.models import Membership

from .seed import Catalogue

KEY, STANDARD = Customer.Tier.KEY, Customer.Tier.STANDARD
# The demo's meetings all fall in these hours, on the team's own clock.
WORKDAY = (dt.time(8), dt.time(18))


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    role: str  # a Membership.Role value, or "" for the organisation admin


@dataclass(frozen=True)
class Story:
    """What one customer said to someone in the team, and what it means for us."""

    customer: str
    contact: str
    channel: str  # an Insight.Channel value
    said: str
    so_what: str
    tags: tuple[int, ...]  # indexes into the team's tags


ORG_ADMIN = Person("olivia@example.com", "Olivia Martens", "")

SALES_STORIES = [
    Story("Acme Logistics", "Head of planning", "call",
          "“We export your weekly report to Excel every Monday just to add one column: the depot.”",
          "Depot is the unit they manage by. A depot filter would remove a manual hour a week.",
          (2,)),
    Story("Brightside Dental", "Practice manager", "visit",
          "They print the appointment list because the tablet at reception logs out every 15 minutes.",
          "Session timeout is set for banks, not clinics. Let admins choose it per team.",
          (1,)),
    Story("Northwind Foods", "CFO", "video",
          "“The new price is fine, but I can't explain the jump to my board without a usage breakdown.”",
          "Price rises need a usage story. Ship the usage summary before the renewal letters.",
          (0, 3)),
    Story("Keller & Sons", "Owner", "call",
          "Mr Keller asked three times whether the import would overwrite his old customer notes.",
          "Fear of losing data blocks the import. Show a dry run with what will change.",
          (1, 4)),
    Story("Helios Energy", "IT lead", "email",
          "“Our SSO rollout is frozen until you support SCIM; 400 seats wait on it.”",
          "SCIM is now a revenue blocker, not a nice-to-have: 400 seats.",
          (4,)),
    Story("Acme Logistics", "Dispatcher", "visit",
          "Dispatchers keep a paper list of 'difficult customers' next to the screen.",
          "There is tacit knowledge we don't capture. A customer note visible on every order?",
          (2,)),
    Story("Northwind Foods", "Finance controller", "ticket",
          "Support ticket: the monthly invoice PDF shows net prices only; their auditors want gross.",
          "Small fix, big trust signal with finance buyers. Add gross totals.",
          (0,)),
    Story("Brightside Dental", "Dentist", "event",
          "At the fair, two dentists said they chose us because a colleague showed them the agenda view.",
          "Word of mouth between practices works. A referral nudge after onboarding?",
          (1,)),
    Story("Helios Energy", "Procurement", "call",
          "“We'd sign for three years if the price were fixed; your index clause scares legal.”",
          "Multi-year fixed pricing could shorten enterprise deals. Ask finance for a model.",
          (0,)),
    Story("Keller & Sons", "Office manager", "survey",
          "Survey comment: ‘I never know if my change was saved until I reload.’",
          "Missing save feedback erodes trust. Show a clear saved state everywhere.",
          (1, 3)),
    Story("Northwind Foods", "Warehouse lead", "visit",
          "Scanners in the cold store fog up; staff type order numbers by hand and make typos.",
          "Validation on order numbers (check digit) would prevent most mis-picks.",
          (4,)),
    Story("Acme Logistics", "COO", "video",
          "“If you can't show me on-time rate per depot, I'll buy the BI add-on from your competitor.”",
          "Per-depot reporting is now a churn risk at our biggest account.",
          (2, 3)),
    Story("Helios Energy", "Energy analyst", "call",
          "They schedule our export at 02:00 so it doesn't slow the app during the day.",
          "Heavy exports hurt daytime performance. Background exports with a download link.",
          (2,)),
    Story("Brightside Dental", "Receptionist", "call",
          "She keeps the app open on her phone to answer patients in the corridor.",
          "Reception works on the move. The phone view deserves the same care as desktop.",
          (1,)),
    Story("Helios Energy", "Head of procurement", "visit",
          "“Your competitor offers a free pilot on two sites. We'd rather stay: help me convince finance.”",
          "A paid pilot with an exit clause can beat a free one. Build the business case with them.",
          (0, 3)),
    Story("Keller & Sons", "Accountant", "call",
          "Their accountant asks for an export every quarter and types it again into her own software.",
          "Accountants are a channel: a link to the common accounting packages helps every small customer.",
          (2, 4)),
    Story("Brightside Dental", "Dentist-owner", "video",
          "“We opened a second practice and now pay twice. Can't one subscription cover both?”",
          "Growing customers shouldn't feel punished. Price small chains per practice, on one contract.",
          (0,)),
    Story("Northwind Foods", "Sales director", "event",
          "At the trade fair their sales director said they'd open in France if our invoices came in French.",
          "French invoices unlock a cross-border expansion at a customer we already have.",
          (4,)),
]  # fmt: skip

PRODUCT_STORIES = [
    Story("Acme Logistics", "Dispatch team lead", "video",
          "The route screen takes eleven seconds to load on the depot Wi-Fi; dispatchers use yesterday's printout instead.",
          "Weak networks are where our users work. Budget the route screen to two seconds on 3G.",
          (2, 0)),
    Story("Pinecrest Clinics", "Clinic administrator", "call",
          "Nurses share one login per ward because adding a user takes an IT ticket.",
          "Permissions are too coarse: let a ward lead add people to their own ward.",
          (3,)),
    Story("Lumen Retail", "Merchandising analyst", "video",
          "“Search can't find ‘tee’ when the product is called ‘T-shirt’. Our store managers gave up on it.”",
          "Synonyms matter more than ranking for retail catalogues. Start with a synonym list per account.",
          (1,)),
    Story("Orbit Studio", "Founder", "email",
          "They export every project to CSV on Fridays to build invoices in another tool.",
          "Exports are their integration. A scheduled export to their accounting tool would keep them.",
          (4,)),
    Story("Acme Logistics", "Driver", "visit",
          "On a ride-along: drivers tap 'Delivered' with gloves on, miss the button, tap again and create duplicates.",
          "Glove-sized buttons in the driver app, and a double tap that saves once.",
          (0,)),
    Story("Pinecrest Clinics", "Practice owner", "survey",
          "Survey comment: ‘I can't tell who changed a patient's appointment.’",
          "A history of changes per record is a trust feature for clinics, not only a compliance one.",
          (3,)),
    Story("Lumen Retail", "Store manager", "visit",
          "In the store, the tablet shows yesterday's stock until someone pulls to refresh.",
          "Stale stock makes staff promise what isn't there. Update live, or show how old the figure is.",
          (2, 0)),
    Story("Orbit Studio", "Designer", "video",
          "In a usability session she looked for 'Export' under the file menu for two minutes; it lives in Settings.",
          "Put export where people look for it: next to the data.",
          (4, 1)),
    Story("Acme Logistics", "IT architect", "call",
          "“Your API pages at 100 orders; we sync 40,000 a night and hit the rate limit by 3 am.”",
          "A changes feed or bulk endpoint would end their nightly failure.",
          (2, 4)),
    Story("Pinecrest Clinics", "Front-desk lead", "video",
          "Searching patients by birth date finds nothing when it's typed as 03/04/1980.",
          "Search must accept dates the way people type them, US style included.",
          (1,)),
    Story("Lumen Retail", "Regional director", "email",
          "Each regional manager should see only their stores; today they see all 300 and get lost.",
          "Views scoped to a region would make the app usable for large retailers.",
          (3,)),
    Story("Orbit Studio", "Project manager", "call",
          "“Opening a project with 2,000 images freezes my laptop.”",
          "Big media projects need thumbnails a page at a time, not all at once.",
          (2,)),
    Story("Acme Logistics", "Planner", "video",
          "Planners keep two browser tabs open because the filters reset when they open an order.",
          "Keep the filters when people come back from a detail page.",
          (1,)),
    Story("Lumen Retail", "Loss-prevention officer", "call",
          "They match cashier IDs to refunds by hand from timestamps because the export leaves the ID out.",
          "One column would save them an afternoon a week. Let admins choose the export's columns.",
          (4, 3)),
]  # fmt: skip

# The two teams of the story: people to log in as, a weekly series with history.
TEAMS = {
    "sales": {
        "name": "Sales Benelux",
        "time_zone": "Europe/Brussels",
        "series": "Weekly customer round",
        "start_time": dt.time(9, 30),
        # The demo's live meeting: within the hour whenever Brussels is at work.
        "live": True,
        "location": "Room Schelde, Brussels office / video link in the invite",
        "agenda": ["Follow-ups from last week", "Pipeline and deals at risk"],
        "people": [
            Person("fatima@example.com", "Fatima El Amrani", Membership.Role.ADMIN),
            Person("priya@example.com", "Priya Natarajan", Membership.Role.FACILITATOR),
            Person("tom@example.com", "Tom Peeters", Membership.Role.MEMBER),
            Person("lucas@example.com", "Lucas Janssens", Membership.Role.MEMBER),
            Person("sofia@example.com", "Sofia Rossi", Membership.Role.MEMBER),
            Person("ken@example.com", "Ken Okafor", Membership.Role.MEMBER),
        ],
        "customers": [
            ("Acme Logistics", "Enterprise", KEY),
            ("Brightside Dental", "SMB", STANDARD),
            ("Northwind Foods", "Mid-market", STANDARD),
            ("Keller & Sons", "SMB", STANDARD),
            ("Helios Energy", "Enterprise", KEY),
        ],
        "tags": ["pricing", "onboarding", "reporting", "churn risk", "integrations"],
        "stories": SALES_STORIES,
    },
    "product": {
        "name": "Product",
        "time_zone": "America/New_York",
        "series": "Product sync",
        "start_time": dt.time(10, 0),
        "live": False,  # meets on its next day, at 10:00 in New York
        "location": "Hudson room, New York office / video link in the invite",
        "agenda": ["Follow-ups from last week", "What we learnt, what we change on the roadmap"],
        "people": [
            Person("marcus@example.com", "Marcus Reid", Membership.Role.ADMIN),
            Person("aisha@example.com", "Aisha Bello", Membership.Role.FACILITATOR),
            Person("ben@example.com", "Ben Carter", Membership.Role.MEMBER),
            Person("chloe@example.com", "Chloe Nguyen", Membership.Role.MEMBER),
            Person("diego@example.com", "Diego Alvarez", Membership.Role.MEMBER),
        ],
        "customers": [
            ("Acme Logistics", "Enterprise", KEY),
            ("Pinecrest Clinics", "Mid-market", STANDARD),
            ("Lumen Retail", "Enterprise", KEY),
            ("Orbit Studio", "SMB", STANDARD),
        ],
        "tags": ["mobile", "search", "performance", "permissions", "exports"],
        "stories": PRODUCT_STORIES,
    },
}

# Teams with a few months of history (insightboard/seed.py), each in its own city.
HISTORY = {
    "Customer Success": Catalogue(
        time_zone="Europe/Brussels",
        room="Room Zenne, Brussels office",
        customers=[
            ("Helios Energy", "Enterprise", KEY),
            ("Vandermeer Bakeries", "SMB", STANDARD),
            ("Ostend Ferries", "Mid-market", STANDARD),
            ("Flanders Home Care", "Mid-market", KEY),
        ],
        sayings=[
            (
                "Helios Energy",
                "Their new admin never had an onboarding call; she learnt the app from her predecessor's notes.",
                "A change of admin loses everything we taught. Offer onboarding whenever one changes.",
            ),
            (
                "Helios Energy",
                "“We'll renew for three years if the quarterly review shows savings, not a feature list.”",
                "Reviews should speak their number: hours saved per site.",
            ),
            (
                "Vandermeer Bakeries",
                "The owner resets his password every Monday: our e-mails land in spam at his provider.",
                "Deliverability is support load. Check our sender setup with small providers.",
            ),
            (
                "Ostend Ferries",
                "Crews have no signal for hours at sea; they write reports on paper and type them in port.",
                "An offline mode for reports would save a double entry on every crossing.",
            ),
            (
                "Flanders Home Care",
                "Nurses log visits on their phone in the car; the form loses what they typed when the signal drops.",
                "A form that keeps its draft is the difference between used and abandoned.",
            ),
            (
                "Flanders Home Care",
                "Their coordinator wants a monthly call; nobody reads our weekly newsletter.",
                "Ask each account how often they want to hear from us, and how.",
            ),
        ],
    ),
    "Engineering": Catalogue(
        time_zone="America/New_York",
        room="Brooklyn room, New York office",
        customers=[
            ("Hudson Freight", "Enterprise", KEY),
            ("Bayside Pharmacies", "SMB", STANDARD),
            ("Empire Mutual Insurance", "Enterprise", STANDARD),
        ],
        sayings=[
            (
                "Hudson Freight",
                "Their on-call engineer was paged at 2 am: our webhook retried 400 times in a minute.",
                "Retries need backoff and a cap; a noisy integration costs their trust in ours.",
            ),
            (
                "Hudson Freight",
                "“We'd move the EDI feed to your API if it had idempotency keys.”",
                "Idempotency keys unblock their biggest integration.",
            ),
            (
                "Bayside Pharmacies",
                "The pharmacists' old tablets can't draw the new dashboard; the charts never appear.",
                "Test on the oldest browser our customers really use, not on ours.",
            ),
            (
                "Bayside Pharmacies",
                "Their IT contractor needs sign-in logs to pass an audit next month.",
                "Audit logs of sign-ins are a gate for every health customer.",
            ),
            (
                "Empire Mutual Insurance",
                "Claims handlers paste 30-page letters into the notes field and the page times out.",
                "Large input needs a limit with a clear message, or attachments.",
            ),
            (
                "Empire Mutual Insurance",
                "Their security review asked why our staging links work without a login.",
                "Staging is production to a customer's security team. Put it behind sign-in.",
            ),
        ],
    ),
    "Marketing": Catalogue(
        time_zone="Europe/London",
        room="Thames room, London office",
        customers=[
            ("Camden Coffee Roasters", "SMB", STANDARD),
            ("Albion Publishing", "Mid-market", STANDARD),
            ("Brixton Fitness", "SMB", STANDARD),
            ("Greenwich Estates", "Enterprise", KEY),
        ],
        sayings=[
            (
                "Camden Coffee Roasters",
                "The owner found us through a podcast, not our ads, and quoted the host word for word.",
                "Podcasts reach small owners. Try a sponsorship before more search ads.",
            ),
            (
                "Albion Publishing",
                "“Your case studies are all logistics. Show me a publisher and I'll forward it to my board.”",
                "Case studies travel inside the customer when they are about their trade. Write one for publishing.",
            ),
            (
                "Albion Publishing",
                "The editor-in-chief reads our newsletter but never clicks; she wants the numbers in the e-mail.",
                "Put the insight in the newsletter, not behind a link.",
            ),
            (
                "Brixton Fitness",
                "The gym manager didn't know we had a phone app until week six.",
                "Our welcome e-mails bury the app. Lead with it for people who are on their feet all day.",
            ),
            (
                "Greenwich Estates",
                "Their procurement team needs our security documents before they will book a demo.",
                "Put the security pack on the pricing page: it is step one for large buyers.",
            ),
        ],
    ),
    "Operations": Catalogue(
        time_zone="Asia/Singapore",
        room="Merlion room, Singapore office",
        customers=[
            ("Straits Shipping", "Enterprise", KEY),
            ("Lion City Clinics", "Mid-market", STANDARD),
            ("Orchard Hotels", "Mid-market", STANDARD),
        ],
        sayings=[
            (
                "Straits Shipping",
                "Their invoices failed GST validation: our address field cut off the postal code.",
                "Address fields must fit Singapore's formats. Fix it before the quarter's filing.",
            ),
            (
                "Straits Shipping",
                "“Your support hours end when our day starts.”",
                "Asia needs support in its own hours: a morning shift from Singapore.",
            ),
            (
                "Lion City Clinics",
                "Clinic managers book our onboarding sessions, and half miss them for patient emergencies.",
                "Recorded onboarding they can watch later beats live sessions for clinics.",
            ),
            (
                "Orchard Hotels",
                "The night manager approves refunds, but the app waits for the day manager's sign-off.",
                "Approvals must follow shifts, not job titles.",
            ),
            (
                "Orchard Hotels",
                "Their accountants are confused by invoices in US dollars; they asked for Singapore dollars.",
                "Invoices in the local currency remove a monthly support question.",
            ),
        ],
    ),
}

# Customers two teams talk to, on purpose: Product hears the key account Sales won,
# Customer Success looks after the one Sales signed. Any other customer is one team's.
SHARED_CUSTOMERS = {
    "Acme Logistics": {"Sales Benelux", "Product"},
    "Helios Energy": {"Sales Benelux", "Customer Success"},
}
