"""The all-hands burst's people, for locust (run by bench/burst.py, which writes the plan).

- Attendees: each opens their one-tap link once, some time in the window, takes a few
  seconds to type, and saves; one in ten double-taps "Save" (2 to 5 posts at once, from
  the same phone: the same cookies).
- Facilitators: open the agenda, then poll the round every 3 s as the page does,
  revalidating their copy by its ETag.
- Organisation admins: open the dashboards now and then.

Each attendee who got the saved page, and every status code per endpoint, go to
BURST_OUT (JSON) when the run stops; bench/burst.py checks them against the database.
"""

from __future__ import annotations

import collections
import json
import os
import random
import re

import gevent
from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

PLAN = json.loads(open(os.environ["BURST_PLAN"]).read())  # noqa: SIM115
WINDOW = float(os.environ.get("BURST_WINDOW", "90"))
TYPING = float(os.environ.get("BURST_TYPING", "20"))  # the longest anyone takes to type
SAVED = "Saved ✓"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')

attendees = iter(PLAN["attendees"])
facilitators = iter(PLAN["facilitators"])
admins = iter(PLAN["admins"])
saved: list[str] = []  # e-mail addresses of attendees who got the saved page
finished = 0
statuses: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)


def answered(name: str, response) -> None:
    statuses[name][str(response.status_code)] += 1
    if response.status_code >= 500:
        response.failure(f"{response.status_code}")


class Attendee(HttpUser):
    fixed_count = len(PLAN["attendees"])
    wait_time = constant(0)

    def on_start(self) -> None:
        self.me = next(attendees)

    @task
    def submit(self) -> None:
        gevent.sleep(random.uniform(0, WINDOW))
        with self.client.get(self.me["link"], name="insight form (one-tap link)",
                             catch_response=True) as page:  # fmt: skip
            answered("insight form (one-tap link)", page)
            token = CSRF.search(page.text)
        if token is None:
            self._done()
        gevent.sleep(random.uniform(TYPING / 4, TYPING))  # typing on a phone
        form = {**PLAN["form"], "said": f"{PLAN['form']['said']} ({self.me['email']})",
                "csrfmiddlewaretoken": token.group(1)}  # fmt: skip
        taps = self.me["taps"]
        posts = [gevent.spawn(self._save, form) for _ in range(taps)]
        gevent.joinall(posts)
        if all(p.value for p in posts):
            saved.append(self.me["email"])
        self._done()

    def _done(self) -> None:
        """The burst is over when the last attendee is done: the pollers stop 3 s later."""
        global finished
        finished += 1
        if finished == self.fixed_count:
            gevent.spawn_later(3, self.environment.runner.quit)
        raise StopUser()

    def _save(self, form: dict) -> bool:
        name = "save insight" if self.me["taps"] == 1 else "save insight (double tap)"
        with self.client.post(self.me["link"], data=form, name=name, catch_response=True,
                              headers={"Referer": self.host + self.me["link"]}) as page:  # fmt: skip
            answered(name, page)
            if page.status_code == 200 and SAVED not in page.text:
                page.failure("no saved page")
            return page.status_code == 200 and SAVED in page.text


class Facilitator(HttpUser):
    fixed_count = len(PLAN["facilitators"])
    wait_time = constant(3)  # the agenda's hx-trigger

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", next(facilitators))
        self.etag = None
        with self.client.get(PLAN["agenda"], name="agenda", catch_response=True) as page:
            answered("agenda", page)

    @task
    def poll(self) -> None:
        headers = {"HX-Request": "true"}
        if self.etag:
            headers["If-None-Match"] = self.etag
        with self.client.get(PLAN["round"], name="round poll", headers=headers,
                             catch_response=True) as page:  # fmt: skip
            answered("round poll", page)
            if page.status_code == 304:
                page.success()
            self.etag = page.headers.get("ETag", self.etag)


class OrganisationAdmin(HttpUser):
    fixed_count = len(PLAN["admins"])
    wait_time = between(5, 15)

    def on_start(self) -> None:
        self.client.cookies.set("sessionid", next(admins))

    @task
    def dashboards(self) -> None:
        for name, url in PLAN["dashboards"].items():
            with self.client.get(url, name=name, catch_response=True) as page:
                answered(name, page)


@events.test_stop.add_listener
def write_out(**_kwargs) -> None:
    with open(os.environ["BURST_OUT"], "w") as out:
        json.dump({"saved": saved, "statuses": statuses}, out)
