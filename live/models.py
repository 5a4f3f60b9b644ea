"""Live sessions: who may join, what happened in the room, who was there.

State lives here, not in server processes (docs/live-protocol.md): the
lobby, presence, raised hands, polls and chat are rows, so any ASGI process
can serve any participant, and a reconnecting client catches up from
`LiveEvent` by sequence number.

- `LiveSession`: the scheduled room. `last_seq` is the per-session counter
  every broadcast event takes its `seq` from (live/events.py).
- `Participant`: one person in one session, a logged-in user or a guest who
  gave a display name only (young people never have an account here).
- `LiveEvent`: every broadcast, numbered; the log `sync` replays.
- `ChatMessage`, `Question`/`QuestionUpvote`, `Poll`/`PollVote`: room content,
  purged after the retention period (settings.LIVE_CHAT_RETENTION_DAYS).
- `Report`: a safeguarding report; copies its context so purging chat never
  removes what was reported.
- `WordListEntry`: terms that hold a message for review (per language).
- `AttendanceInterval`, `AttendanceCorrection`: server-recorded presence
  (live/attendance.py) and trainers' logged corrections.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL

TIME_ZONE_CHOICES = [
    (name, name)
    for name in ("Europe/London", "Europe/Paris", "Europe/Brussels", "Europe/Amsterdam", "UTC")
]


class LiveSeries(models.Model):
    """Sessions that belong together (a webinar series, a course's live
    part): attending enough of their scheduled time in all earns one
    attendance certificate for the series (certificates/rules.py)."""

    title = models.CharField(_("title"), max_length=200)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="live_series"
    )
    certificate_min_percent = models.PositiveSmallIntegerField(
        _("attendance certificate threshold (percentage of the series' scheduled time)"), null=True, blank=True
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("live session series")
        verbose_name_plural = _("live session series")
        ordering = ["partner", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(certificate_min_percent__isnull=True)
                | (Q(certificate_min_percent__gte=1) & Q(certificate_min_percent__lte=100)),
                name="live_series_certificate_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class LiveSession(models.Model):
    class Audience(models.TextChoices):
        PROFESSIONALS = "professionals", _("Professionals")
        YOUNG_PEOPLE = "young_people", _("Young people")

    class Provider(models.TextChoices):
        WEBRTC = "webrtc", _("Built-in video (small groups)")
        BIGBLUEBUTTON = "bbb", _("BigBlueButton")
        JITSI = "jitsi", _("Jitsi")
        NONE = "none", _("No video (chat with an external stream link)")

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        ENDED = "ended", _("Ended")

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"), default=60)
    time_zone = models.CharField(_("time zone"), max_length=40, choices=TIME_ZONE_CHOICES, default="Europe/Brussels")
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.PROFESSIONALS)
    partner = models.ForeignKey(
        "partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="live_sessions"
    )
    trainers = models.ManyToManyField(USER, verbose_name=_("trainers"), related_name="live_sessions_trained", blank=True)
    # Attendance counts for this course (its translation key), directly or
    # through the cohort.
    course_key = models.UUIDField(_("course"), null=True, blank=True, db_index=True)
    cohort = models.ForeignKey(
        "learning.Cohort",
        verbose_name=_("cohort"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="live_sessions",
    )
    series = models.ForeignKey(
        LiveSeries, verbose_name=_("series"), on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions"
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=100)
    lobby_enabled = models.BooleanField(_("lobby"), default=True, help_text=_("Participants wait until a trainer admits them."))
    allow_guests = models.BooleanField(
        _("guests may join with the code"),
        default=False,
        help_text=_("Guests give a display name only; sessions with young people always use guest access."),
    )
    consent_required = models.BooleanField(
        _("consent statement required"),
        default=False,
        help_text=_("Guests must confirm the consent statement for their country's age threshold."),
    )
    provider = models.CharField(_("video"), max_length=10, choices=Provider.choices, default=Provider.WEBRTC)
    stream_url = models.URLField(_("external stream link"), blank=True)
    # Attendance certificate rule: minimum % of the scheduled time present
    # (empty = no attendance certificate for this session).
    certificate_min_percent = models.PositiveSmallIntegerField(
        _("attendance certificate threshold (percentage of the scheduled time)"), null=True, blank=True
    )
    join_code = models.CharField(_("join code"), max_length=8, unique=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.SCHEDULED)
    locked = models.BooleanField(_("room locked"), default=False)
    # Set by the first removal (live.room.participant_remove): from then on,
    # guests who join wait in the lobby for the rest of the session, lobby
    # or not, so a removed guest cannot come back under another name.
    guest_lobby = models.BooleanField(_("new guests wait in the lobby (after a removal)"), default=False, editable=False)
    chat_muted = models.BooleanField(_("chat muted for participants"), default=False)
    spotlight_question = models.ForeignKey(
        "Question", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # The per-session event counter (live/events.py); only ever incremented
    # in SQL, never written from a model instance.
    last_seq = models.BigIntegerField(default=0, editable=False)
    reminders_planned_for = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("live session")
        verbose_name_plural = _("live sessions")
        ordering = ["-starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gte=5) & Q(duration_minutes__lte=600), name="live_duration_range"),
            models.CheckConstraint(condition=Q(capacity__gte=2) & Q(capacity__lte=1000), name="live_capacity_range"),
            models.CheckConstraint(
                condition=Q(certificate_min_percent__isnull=True)
                | (Q(certificate_min_percent__gte=1) & Q(certificate_min_percent__lte=100)),
                name="live_certificate_percent_range",
            ),
        ]
        permissions = [("review_safeguarding", "Can review safeguarding reports")]

    def __str__(self) -> str:
        return self.title

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_youth(self) -> bool:
        return self.audience == self.Audience.YOUNG_PEOPLE

    @property
    def guests_allowed(self) -> bool:
        return self.is_youth or self.allow_guests

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    def join_window(self) -> tuple[dt.datetime, dt.datetime]:
        """When the join code works: from LIVE_JOIN_OPENS_MINUTES before the
        start to LIVE_JOIN_CLOSES_MINUTES after the scheduled end."""
        opens = self.starts_at - dt.timedelta(minutes=settings.LIVE_JOIN_OPENS_MINUTES)
        closes = self.ends_at + dt.timedelta(minutes=settings.LIVE_JOIN_CLOSES_MINUTES)
        return opens, closes

    def is_joinable(self, now: dt.datetime | None = None) -> bool:
        now = now or timezone.now()
        opens, closes = self.join_window()
        return self.status == self.Status.SCHEDULED and opens <= now <= closes

    @property
    def join_code_display(self) -> str:
        return f"{self.join_code[:4]}-{self.join_code[4:]}"


class Participant(models.Model):
    """One person in one session. Staff (the session's trainers, the
    partner's coordinators, programme staff) moderate; professionals join
    with their account; guests (young people, or webinar guests) with a
    display name only, remembered by their browser session."""

    class Role(models.TextChoices):
        STAFF = "staff", _("Staff")
        PROFESSIONAL = "professional", _("Professional")
        GUEST = "guest", _("Guest")

    class Status(models.TextChoices):
        LOBBY = "lobby", _("Waiting in the lobby")
        ADMITTED = "admitted", _("Admitted")
        REMOVED = "removed", _("Removed")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="live_participations")
    display_name = models.CharField(_("display name"), max_length=40)
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.LOBBY)
    muted = models.BooleanField(_("muted in chat"), default=False)
    hand_raised_at = models.DateTimeField(null=True, blank=True)
    video_on = models.BooleanField(default=False)
    consent_given_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    # The channel of the participant's latest open websocket ("" = not
    # connected); every open one is a `Connection` (at most
    # LIVE_MAX_SOCKETS_PER_PARTICIPANT).
    channel_name = models.CharField(max_length=200, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["session", "created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "user"], condition=Q(user__isnull=False), name="live_participant_unique_user"
            ),
        ]
        indexes = [models.Index(fields=["session", "status"])]

    def __str__(self) -> str:
        return self.display_name

    @property
    def staff_name(self) -> str:
        """The name on the session trainers' own pages (attendance and its
        corrections): an account's given and family name, else the display
        name. Never an email address (participants may come from any partner)."""
        if self.user_id is not None and self.user is not None:
            return self.user.get_name() or self.display_name
        return self.display_name

    @property
    def is_staff(self) -> bool:
        return self.role == self.Role.STAFF

    @property
    def is_connected(self) -> bool:
        return bool(self.channel_name)


class Connection(models.Model):
    """One open websocket of a participant, in the database so that every
    server process and the housekeeper count the same sockets
    (`live.room.socket_admission`, `live.room.participant_left`).
    `last_seen_at` is refreshed by the heartbeat of the process holding
    the socket: a stale one belongs to a process that died."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="connections")
    channel_name = models.CharField(max_length=200, db_index=True)
    opened_at = models.DateTimeField(default=timezone.now)
    last_seen_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["participant", "opened_at", "pk"]

    def __str__(self) -> str:
        return self.channel_name


class LiveEvent(models.Model):
    """A broadcast, numbered per session. `audience` says who may see it:
    everyone admitted, staff only, or the two participants of a direct event
    (`to_participant` and `from_participant`)."""

    class Audience(models.TextChoices):
        ALL = "all", "all"
        STAFF = "staff", "staff"
        DIRECT = "direct", "direct"

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="events")
    seq = models.BigIntegerField()
    type = models.CharField(max_length=40)
    audience = models.CharField(max_length=8, choices=Audience.choices, default=Audience.ALL)
    to_participant = models.ForeignKey(Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    from_participant = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    payload = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["session", "seq"]
        constraints = [models.UniqueConstraint(fields=["session", "seq"], name="live_event_unique_seq")]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.seq} {self.type}"


class ChatMessage(models.Model):
    class Status(models.TextChoices):
        POSTED = "posted", _("Posted")
        HELD = "held", _("Held for review")
        REJECTED = "rejected", _("Rejected")
        DELETED = "deleted", _("Deleted")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="messages")
    # Private chat exists only between staff (safeguarding).
    recipient = models.ForeignKey(Participant, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    text = models.TextField(_("text"))
    # The client's id for the message: a retried send is the same message.
    client_id = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.POSTED)
    held_reason = models.CharField(max_length=200, blank=True)
    reviewed_by = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("chat message")
        verbose_name_plural = _("chat messages")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_id"], name="live_chat_unique_client_id"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class Question(models.Model):
    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="questions")
    author = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="questions")
    text = models.TextField(_("question"))
    client_id = models.CharField(max_length=64)
    upvote_count = models.PositiveIntegerField(default=0)
    answered_at = models.DateTimeField(null=True, blank=True)
    hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["session", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["author", "client_id"], name="live_question_unique_client_id"),
        ]

    def __str__(self) -> str:
        return self.text[:60]


class QuestionUpvote(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="upvotes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "participant"], name="live_upvote_once"),
        ]


class Poll(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(_("question"), max_length=300)
    options = models.JSONField(_("options"), default=list)  # list of strings, 2..10
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("poll")
        verbose_name_plural = _("polls")
        ordering = ["session", "created_at", "pk"]

    def __str__(self) -> str:
        return self.question


class PollVote(models.Model):
    poll = models.ForeignKey(Poll, on_delete=models.CASCADE, related_name="votes")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="+")
    option = models.PositiveSmallIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["poll", "participant"], name="live_vote_once")]


class Report(models.Model):
    """A safeguarding report about a message or a participant. Keeps a copy
    of its context (the message, its author, the messages around it) so the
    chat retention purge never removes what was reported. Kept apart from
    the room's data and visible only to staff with the safeguarding
    permission (live.review_safeguarding) of the session's partner."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    session = models.ForeignKey(LiveSession, on_delete=models.SET_NULL, null=True, related_name="reports")
    partner = models.ForeignKey("partners.Partner", verbose_name=_("partner"), on_delete=models.PROTECT, related_name="+")
    session_title = models.CharField(_("session"), max_length=200)
    reporter = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, related_name="+")
    reporter_name = models.CharField(_("reported by"), max_length=40)
    message = models.ForeignKey(ChatMessage, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    target = models.ForeignKey(Participant, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    reason = models.TextField(_("reason"), blank=True)
    context = models.JSONField(_("context"), default=dict)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    handled_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    handled_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("safeguarding report")
        verbose_name_plural = _("safeguarding reports")
        ordering = ["status", "-created_at"]

    def __str__(self) -> str:
        return f"{self.session_title} ({self.created_at:%Y-%m-%d})"


class WordListEntry(models.Model):
    """A term that holds a chat message for review before anyone sees it.
    Matched case- and accent-insensitively on word boundaries (live/wordlist.py);
    staff extend the defaults shipped in live/wordlists/<language>.txt."""

    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    term = models.CharField(_("term"), max_length=100)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("word-list entry")
        verbose_name_plural = _("word list")
        ordering = ["language", "term"]
        constraints = [models.UniqueConstraint(fields=["language", "term"], name="live_wordlist_unique")]

    def __str__(self) -> str:
        return f"{self.language}: {self.term}"


class AttendanceInterval(models.Model):
    """Server-recorded presence of an admitted participant: opened when the
    websocket connects, kept alive by heartbeats, closed on disconnect; a
    reconnect within the grace period reopens it (live/attendance.py)."""

    class ClosedBy(models.TextChoices):
        DISCONNECT = "disconnect", _("Disconnected")
        HEARTBEAT = "heartbeat", _("No heartbeat (server stopped)")
        SESSION_END = "session_end", _("Session ended")
        REMOVED = "removed", _("Removed")

    session = models.ForeignKey(LiveSession, on_delete=models.CASCADE, related_name="attendance_intervals")
    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="intervals")
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=12, choices=ClosedBy.choices, blank=True)

    class Meta:
        ordering = ["participant", "started_at"]
        indexes = [models.Index(fields=["ended_at", "last_seen_at"])]
        constraints = [
            # At most one open interval per participant.
            models.UniqueConstraint(
                fields=["participant"], condition=Q(ended_at__isnull=True), name="live_one_open_interval"
            ),
        ]


class AttendanceCorrection(models.Model):
    """A trainer's correction of a participant's minutes, with the reason.
    The latest one counts; all are kept (the log)."""

    participant = models.ForeignKey(Participant, on_delete=models.CASCADE, related_name="corrections")
    minutes = models.PositiveIntegerField(_("minutes present"))
    reason = models.CharField(_("reason"), max_length=300)
    corrected_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("attendance correction")
        verbose_name_plural = _("attendance corrections")
        ordering = ["participant", "-created_at", "-pk"]
