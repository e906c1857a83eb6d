"""The widget's status line, computed on the server: online, away or closed until when.

    online   the schedule is open (or there is none) and an agent is available;
    away     the schedule is open but no agent is known to be available ("typically replies
             in …" when the tenant set a reply time);
    closed   outside the schedule: `next_open` is the next opening, an instant the widget
             shows in the tenant's timezone.

Agent availability comes through one seam, `agents_available`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django_tenants.utils import schema_context

from parlor.base.identity import TenantRef
from parlor.base.times import isoformat
from parlor.chat import availability
from parlor.hours.clock import hours_now
from parlor.hours.schedule import ScheduleError, is_open, next_opening, schedule_build
from parlor.hours.selectors import business_hours_get
from tenants.models import Tenant

ONLINE, AWAY, CLOSED = "online", "away", "closed"


@dataclass(frozen=True)
class WidgetStatus:
    """What the widget says about availability, and whether it shows a message form."""

    state: str
    reply_time: str
    next_open: datetime | None
    timezone: str
    offline_form: bool

    def as_dict(self) -> dict:
        """Return the status as the widget session's `status` member."""
        return {
            "state": self.state,
            "reply_time": self.reply_time,
            "next_open": isoformat(self.next_open) if self.next_open else None,
            "timezone": self.timezone,
            "offline_form": self.offline_form,
        }


def agents_available(tenant: Tenant) -> bool:
    """Return whether an agent of `tenant` is available now (parlor.chat.availability)."""
    # Called from sync views and jobs: async_to_sync runs the presence read on the server's
    # loop when there is one (a view's worker thread), else on a loop of its own (a job). The
    # read is the sockets' hello one, cached a second per tenant: a burst of widget sessions
    # costs one presence read, not one each.
    ref = TenantRef(id=tenant.id, slug=tenant.slug, schema_name=tenant.schema_name)
    return async_to_sync(availability.agents_available_for_hello)(
        tenant=ref, channel_layer=get_channel_layer()
    )


def widget_status(tenant: Tenant, *, now: datetime | None = None) -> WidgetStatus:
    """Return the tenant's widget status at `now` (default: the hours clock)."""
    now = now or hours_now()
    with schema_context(tenant.schema_name):
        hours = business_hours_get()
    schedule = None
    if hours.enabled:
        try:
            schedule = schedule_build(
                timezone=hours.timezone, weekly=hours.weekly, holidays=hours.holidays
            )
        except ScheduleError:
            schedule = None  # stored before a rule tightened: treated as always open
    if schedule is not None and not is_open(schedule, now):
        return WidgetStatus(
            state=CLOSED,
            reply_time=hours.reply_time,
            next_open=next_opening(schedule, now),
            timezone=hours.timezone,
            offline_form=hours.offline_form,
        )
    available = agents_available(tenant)
    return WidgetStatus(
        state=ONLINE if available else AWAY,
        reply_time=hours.reply_time,
        next_open=None,
        timezone=hours.timezone,
        offline_form=False,
    )
