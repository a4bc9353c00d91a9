"""The small chart of ticks per week on the therapist's pages: geometry is presentation,
so it is worked out here, from the weeks `attach_tick_history` counts."""

from django import template

register = template.Library()

WEEK_WIDTH = 12  # px a week: a 9 px bar and a gap
DAY_HEIGHT = 5  # px a day ticked: a full week fills 35 px
BASELINE = 38


@register.inclusion_tag("includes/_tick_chart.html")
def tick_chart(weeks: list) -> dict:
    """`weeks`: [(monday, count)], oldest first."""
    bars = [
        {"x": n * WEEK_WIDTH, "y": BASELINE - DAY_HEIGHT * count, "height": DAY_HEIGHT * count, "monday": monday, "count": count}
        for n, (monday, count) in enumerate(weeks)
    ]
    return {"bars": bars, "width": WEEK_WIDTH * len(weeks)}
