"""Pages of a long list without counting it: the client list fetches one row more than a
page to know whether there is a next one. Django's Paginator counts every matching row
first (COUNT(*) over 100,000 clients costs more than the page itself; bench/scale.py)."""

from __future__ import annotations

# A page number past this is past the end of any clinic's list; capping it keeps the
# OFFSET a number the database takes (a fuzzed ?page=99999999999999999999 overflowed it).
LAST_PAGE = 1_000_000


class Page:
    def __init__(self, rows: list, number: int, per_page: int):
        self.number = number
        self.object_list = rows[:per_page]
        self._has_next = len(rows) > per_page

    def has_next(self) -> bool:
        return self._has_next

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.has_next() or self.has_previous()

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(queryset, number, per_page: int) -> Page:
    """Page `number` (1 when it isn't a number, or past the end) of an ordered queryset, in
    one query (two when past the end)."""
    try:
        number = min(max(int(number), 1), LAST_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    rows = list(queryset[start : start + per_page + 1])
    if not rows and number > 1:
        return page_of(queryset, 1, per_page)
    return Page(rows, number, per_page)
