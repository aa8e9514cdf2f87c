"""Reading a rendered page in view tests, without a browser."""

from __future__ import annotations

from html.parser import HTMLParser


class Page(HTMLParser):
    """Each input, select and textarea with the classes of the elements around it."""

    def __init__(self, html: str):
        super().__init__()
        self.open: list[str] = []  # the class attribute of each open element
        self.controls: dict[str, dict] = {}
        self.feed(html)

    VOID = {"input", "br", "img", "meta", "link", "hr"}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in {"input", "select", "textarea"} and attrs.get("id"):
            around = " ".join(self.open).split()
            self.controls[attrs["id"]] = {**attrs, "around": around}
        if tag not in self.VOID:
            self.open.append(attrs.get("class") or "")

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.open:
            self.open.pop()

    def around(self, control_id: str) -> list[str]:
        return self.controls[control_id]["around"]

    def focused(self) -> list[str]:
        return [cid for cid, attrs in self.controls.items() if "autofocus" in attrs]
