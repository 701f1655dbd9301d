"""The composition root: builds settings, the database, the bus and every domain service, and
wires event handlers. `build_platform()` is what the web app, the CLI and the tests start from."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from cityops.alarm_cases.public import AlarmCaseBridge
from cityops.alarm_cases.public import subscribe as subscribe_alarm_cases
from cityops.appeals.duplicates.service import DuplicateService
from cityops.appeals.followup.handlers import FollowupRecorder
from cityops.appeals.followup.handlers import subscribe as subscribe_followup
from cityops.appeals.followup.service import FollowupService
from cityops.appeals.hotline.service import HotlineService
from cityops.appeals.knowledge.service import KnowledgeService
from cityops.appeals.notify.service import NotifyService
from cityops.appeals.open311.limits import Open311Limits
from cityops.appeals.open311.service import Open311Service
from cityops.appeals.portal.ratelimit import RateLimits
from cityops.appeals.portal.service import PortalService
from cityops.appeals.routing.public import RoutingRecorder, RoutingService
from cityops.appeals.routing.public import subscribe as subscribe_routing
from cityops.cases.jobs import schedule_jobs as schedule_case_jobs
from cityops.cases.photos import CasePhotos, upload_root
from cityops.cases.public import appeal_texts
from cityops.cases.service import CaseService
from cityops.cases.workflow.types import DEFAULT_CASE_TYPES, CaseTypes
from cityops.geo.public import AreaLevels, GeoService, load_area_levels
from cityops.infra.bus import EventBus
from cityops.infra.db import make_engine, make_session_factory
from cityops.infra.lease import BackgroundLease
from cityops.infra.migrate import upgrade
from cityops.infra.outbox import OutboxRelay, UnitOfWork, unit_of_work
from cityops.infra.scheduler import Scheduler
from cityops.infra.settings import Settings
from cityops.infra.writer import WriteQueue
from cityops.insight import public as insight_public
from cityops.insight.public import IndicatorService, ReportOptions, ReportService
from cityops.kernel.clock import Clock, SystemClock
from cityops.org.public import OrgService
from cityops.sensing.public import AlarmRunner, AlarmService, DeviceTransfer
from cityops.sensing.service import SensingService
from cityops.taxonomy.public import TaxonomyService
from cityops.webhooks.public import WebhookService
from cityops.worktime.public import CalendarService, WorkingCalendar, load_calendar

log = logging.getLogger(__name__)

# The webhook job only reads which receivers are due and starts their lanes: a pass longer than
# this is logged (the lanes themselves are bounded by CITYOPS_WEBHOOK_LANE_SECONDS).
WEBHOOK_PASS_BUDGET_SECONDS = 10.0
# how soon a server process takes a working-calendar year another process saved
CALENDAR_REFRESH_SECONDS = 15.0
# the alarm runner's step: it polls the reading log at most this often (when readings came;
# idle polls back off to sensing.alarm_runner.IDLE_MAX_SECONDS unless this process's writer
# committed a batch since), and the alarm → case pass
ALARM_STEP_SECONDS = 0.05
ALARM_CASES_SECONDS = 30.0
# sensing storage jobs: rollups each minute (a run stops itself after 50 s and goes on next
# time), retention each hour
SENSING_ROLLUP_SECONDS = 60.0
SENSING_RETENTION_SECONDS = 3600.0
# generated reports: an hourly look for a missing daily/weekly/monthly file (bench/reports.py)
REPORT_JOB_SECONDS = 3600.0
REPORT_JOB_BUDGET_SECONDS = 300.0


@dataclass
class Platform:
    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    readers: sessionmaker[Session]
    bus: EventBus
    relay: OutboxRelay
    scheduler: Scheduler
    lease: BackgroundLease
    writes: WriteQueue
    # Domain services, set by _wire(); one typed field per domain:
    taxonomy: TaxonomyService = field(init=False)
    calendar: WorkingCalendar = field(init=False)
    worktime: CalendarService = field(init=False)
    geo: GeoService = field(init=False)
    cases: CaseService = field(init=False)
    photos: CasePhotos = field(init=False)  # the staff photo upload, into the portal's store
    org: OrgService = field(init=False)
    webhooks: WebhookService = field(init=False)
    insight: IndicatorService = field(init=False)
    evaluation: insight_public.EvaluationService = field(init=False)
    reports: ReportService = field(init=False)
    open311: Open311Service = field(init=False)
    notify: NotifyService = field(init=False)
    portal: PortalService = field(init=False)
    duplicates: DuplicateService = field(init=False)
    followup: FollowupService = field(init=False)
    routing: RoutingService = field(init=False)
    knowledge: KnowledgeService = field(init=False)
    _calendar_stop: threading.Event = field(init=False, default_factory=threading.Event)
    hotline: HotlineService = field(init=False)
    hot_issues: insight_public.HotIssueService = field(init=False)
    city_map: insight_public.CityMapService = field(init=False)
    vitals: insight_public.VitalsService = field(init=False)
    key_sites: insight_public.KeySiteService = field(init=False)
    sensing: SensingService = field(init=False)
    alarms: AlarmService = field(init=False)
    device_transfer: DeviceTransfer = field(init=False)
    alarm_cases: AlarmCaseBridge = field(init=False)

    def uow(self) -> AbstractContextManager[UnitOfWork]:
        """A write transaction whose events are relayed after commit."""
        return unit_of_work(self.sessions, self.relay)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session (never takes SQLite's write lock)."""
        with self.readers() as session:
            try:
                yield session
            finally:
                session.rollback()

    def start_background(self) -> None:
        """Relay and scheduler threads (only the process holding the lease does their work),
        and the warm-up (`warm_up` in a thread of its own)."""
        self.relay.start(self.settings.relay_interval_seconds, may_run=self.lease.held)
        self.scheduler.start(may_run=self.lease.held)
        threading.Thread(target=self.warm_up, name="warm-up", daemon=True).start()
        self._calendar_stop.clear()
        threading.Thread(target=self._follow_calendar, name="calendar", daemon=True).start()

    def _follow_calendar(self) -> None:
        """Every process, not only the lease holder: take the working-calendar years another
        process saved (platform.worktime.refresh), so every process computes deadlines alike."""
        while not self._calendar_stop.wait(CALENDAR_REFRESH_SECONDS):
            try:
                with self.read() as session:
                    self.worktime.refresh(session)
            except Exception:  # a missed look is retried at the next; it must not end the thread
                log.exception("working calendar refresh failed")

    def warm_up(self) -> None:
        """What a server does once at start: load the area index and the routing model before
        the first request asks for them, then take every object alive at that point out of the
        garbage collector's scans (`gc.freeze`). A long-running server otherwise walks all of
        them — modules, caches, the model — in every full collection: 10–150 ms pauses,
        measured on the 2-core machine under intake load, which were most of intake's p99
        (bench/README.md)."""
        try:
            self.preload()
        except Exception:  # a warm-up must never stop a server; the first request loads it
            log.exception("warm-up failed")
        gc.collect()
        gc.freeze()

    def preload(self) -> None:
        """Load what the first request would otherwise wait for: the area index and the routing
        model (without one, looking for it still imports scikit-learn: about a second)."""
        with self.read() as session:
            self.geo.load_index(session)
        _ = self.routing.available

    def stop_background(self) -> None:
        self._calendar_stop.set()
        self.scheduler.stop()
        self.relay.stop()
        self.lease.release()

    def close(self) -> None:
        self.stop_background()
        self.webhooks.close()
        self.writes.stop()
        self.sensing.writer.stop()
        self.engine.dispose()


def build_platform(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    migrate: bool = True,
    case_types: CaseTypes = DEFAULT_CASE_TYPES,
) -> Platform:
    """`case_types`: which cases follow which workflow (cases/workflow/types.py); by default
    one type, the case engine's workflow, for every case."""
    settings = settings or Settings()
    clock = clock or SystemClock()
    # read first: a configuration it refuses stops the start before anything is opened
    levels = load_area_levels(settings.area_levels_file, settings.area_levels)
    engine = make_engine(settings.database_url, sqlite_synchronous=settings.sqlite_sync)
    if migrate:
        upgrade(settings.database_url, engine)
    sessions = make_session_factory(engine, write=True)
    readers = make_session_factory(engine, write=False)
    bus = EventBus()
    relay = OutboxRelay(sessions, bus, clock, reads=readers)
    platform = Platform(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=sessions,
        readers=readers,
        bus=bus,
        relay=relay,
        scheduler=Scheduler(),
        lease=BackgroundLease(engine),
        writes=WriteQueue(sessions, relay),
    )
    _wire(platform, levels, case_types)
    return platform


def _wire(platform: Platform, levels: AreaLevels, case_types: CaseTypes) -> None:
    """Construct domain services and subscribe handlers. Each domain adds one block here."""
    # geo: areas and point → area lookup (in-memory index, rebuilt on change)
    # (the names of the area levels and those in use: CITYOPS_AREA_LEVELS[_FILE])
    platform.geo = GeoService(platform.clock, levels=levels)
    # org: departments, users, credentials
    platform.org = OrgService(clock=platform.clock, settings=platform.settings, areas=platform.geo)
    # cases: responsibility list (权责清单: its departments are org's) and the working calendar
    # for SLA arithmetic
    platform.taxonomy = TaxonomyService(platform.clock, platform.org)
    platform.calendar = load_calendar(platform.settings.holidays_file)
    # the years an administrator set (工作日历) replace the file's
    platform.worktime = CalendarService(platform.calendar, platform.clock)
    with platform.read() as session:
        platform.worktime.load(session)
    # cases: the case engine (workflow, SLA scan)
    platform.cases = CaseService(
        geo=platform.geo,
        org=platform.org,
        taxonomy=platform.taxonomy,
        calendar=platform.calendar,
        clock=platform.clock,
        settings=platform.settings,
        case_types=case_types,
    )
    schedule_case_jobs(
        platform.scheduler,
        platform.cases,
        platform.uow,
        reads=platform.read,
        interval_seconds=platform.settings.scheduler_interval_seconds,
    )
    # sensing: device types and devices, telemetry ingestion through one writer per process
    platform.sensing = SensingService(
        geo=platform.geo,
        clock=platform.clock,
        engine=platform.engine,
        reads=platform.readers,
        departments=lambda session: {d.code for d in platform.org.list_departments(session)},
    )
    with platform.uow() as uow:
        platform.sensing.seed_types(uow.session)
    platform.device_transfer = DeviceTransfer(  # 设备批量导入导出
        geo=platform.geo,
        clock=platform.clock,
        departments=lambda session: {d.code for d in platform.org.list_departments(session)},
    )
    # sensing alarms: rules → evaluators → convergence book → alarms, in the lease holder
    platform.alarms = AlarmService(
        clock=platform.clock,
        runner=AlarmRunner(
            reads=platform.read,
            uows=platform.uow,
            clock=platform.clock,
            wake=lambda: platform.sensing.writer.stored_batches,
        ),
    )
    platform.scheduler.add(
        "sensing.alarms", ALARM_STEP_SECONDS, platform.alarms.runner.step, budget=5.0
    )
    # alarm → case (告警转案件): above both sensing and cases, so neither imports the other
    platform.alarm_cases = AlarmCaseBridge(
        alarms=platform.alarms, cases=platform.cases, reads=platform.read, uows=platform.uow
    )
    subscribe_alarm_cases(platform.bus, platform.alarm_cases)
    platform.scheduler.add(
        "alarm_cases.open_due",
        ALARM_CASES_SECONDS,
        platform.alarm_cases.open_due,
        budget=ALARM_CASES_SECONDS,
    )
    # sensing storage: rollups every minute (new buckets and the lateness window), retention
    # hourly (per device type; whole day partitions on PostgreSQL)
    platform.scheduler.add(
        "sensing.rollup", SENSING_ROLLUP_SECONDS, platform.sensing.rollup.run, budget=55.0
    )
    platform.scheduler.add(
        "sensing.retention", SENSING_RETENTION_SECONDS, platform.sensing.retention.run, budget=300.0
    )
    # insight: indicators over the case engine's counts (needs platform.cases: keep it after)
    platform.insight = IndicatorService(platform.cases, platform.clock)
    # insight: hot issues (热点诉求) over the appeals the case engine gives, masked; the caller's
    # phone only as a digest keyed by the secret key (repeat callers)
    hot_key = platform.settings.secret_key.encode()
    platform.hot_issues = insight_public.HotIssueService(
        lambda session, actor, since, until, area: appeal_texts(
            session, actor, since, until, area_prefix=area, key=hot_key
        ),
        platform.clock,
    )
    # the city map (一图观全域): clusters of cases and devices, area polygons and counts
    platform.city_map = insight_public.CityMapService(platform.geo, platform.clock)
    # the map's key sites (重点场所): schools, hospitals, construction sites, 积水点 …
    platform.key_sites = insight_public.KeySiteService(platform.geo, platform.clock)
    # city vital signs (城市体征): every minute, the indicators whose refresh instant passed
    platform.vitals = insight_public.VitalsService(platform.geo, platform.clock, platform.cases)
    platform.scheduler.add(
        "insight.vitals", VITALS_JOB_SECONDS, lambda: _evaluate_vitals(platform), budget=50.0
    )
    # performance evaluation (绩效考核) over the case engine's counts
    platform.evaluation = insight_public.EvaluationService(
        platform.cases,
        platform.clock,
        insight_public.load_evaluation_config(
            platform.settings.evaluation_config, view=platform.settings.evaluation_view
        ),
    )
    # generated reports (智能报表): yesterday's, last week's and last month's, archived once each
    platform.reports = ReportService(
        platform.clock,
        category_names=lambda session: {
            c.code: c.name
            for c in platform.taxonomy.list_categories(session, include_inactive=True)
            if c.level == 1
        },
        options=ReportOptions(
            template=Path(platform.settings.report_template)
            if platform.settings.report_template
            else None,
            cjk_font=platform.settings.report_font,
            chromium=platform.settings.report_chromium,
        ),
    )
    scheduled = platform.settings.report_schedule
    if scheduled or (scheduled is None and platform.settings.env != "test"):
        platform.scheduler.add(
            "insight.reports",
            REPORT_JOB_SECONDS,
            lambda: platform.reports.run_schedule(platform.uow),
            budget=REPORT_JOB_BUDGET_SECONDS,
        )
    # webhooks: every committed event is enqueued per matching subscription, then sent by a job
    # that starts a lane per receiver and never waits for one (a hung receiver delays no job)
    platform.webhooks = WebhookService(platform.sessions, platform.clock, platform.settings)
    platform.bus.subscribe(None, platform.webhooks.on_event, name="webhooks.enqueue")
    platform.scheduler.add(
        "webhooks.deliver",
        platform.settings.webhook_interval_seconds,
        lambda: platform.webhooks.start_due(platform.clock.now()),
        budget=WEBHOOK_PASS_BUDGET_SECONDS,
    )
    # appeals.notify: citizen notifications after commit (outbox table; senders pluggable)
    platform.notify = NotifyService(
        cases=platform.cases,
        org=platform.org,
        clock=platform.clock,
        sessions=platform.readers,  # it only reads through these: who is to be told
        uows=platform.uow,
    )
    platform.bus.subscribe_batch(None, platform.notify.on_events, name="notify.citizen")
    # appeals.routing: 智能分拨 model (loaded on first use; none trained → no suggestions)
    platform.routing = RoutingService(
        cases=platform.cases,
        taxonomy=platform.taxonomy,
        model_dir=platform.settings.router_model_dir,
    )
    # appeals.followup: 回访 records from committed evaluations, and the 三率 over them
    platform.followup = FollowupService(
        platform.clock,
        basic_weight=platform.settings.three_rates_basic_weight,
        weights=platform.settings.three_rates_weights,
    )
    subscribe_followup(platform.bus, FollowupRecorder(cases=platform.cases, uows=platform.uow))
    # appeals.portal: citizen portal (intake with photos, tracking, rating, public board)
    platform.portal = PortalService(
        cases=platform.cases,
        geo=platform.geo,
        clock=platform.clock,
        upload_dir=upload_root(platform.settings),
        followup=platform.followup,  # the board's 满意率 is the 三率's
        recipients=platform.notify,
        suggester=platform.routing,  # 由系统判断 → the model's top category
        reads=platform.read,
        client_key=platform.settings.secret_key.encode(),  # a rating's client address: hashed
        limits=RateLimits(
            submits_per_minute=platform.settings.portal_submits_per_minute,
            reads_per_minute=platform.settings.portal_reads_per_minute,
        ),
    )
    # cases.photos: the staff upload writes into the same store the portal's photos live in
    platform.photos = CasePhotos(platform.portal.photos, platform.clock)
    # appeals.open311: GeoReport v2 over the case engine (api keys, requests, updates)
    platform.open311 = Open311Service(
        cases=platform.cases,
        taxonomy=platform.taxonomy,
        geo=platform.geo,
        clock=platform.clock,
        reads=platform.read,
        appeals=platform.portal,  # the tracking code works on /portal/track
        recipients=platform.notify,  # the submitter's phone / e-mail hears of each step
        limits=Open311Limits(
            posts_per_minute_per_key=platform.settings.open311_posts_per_minute_per_key,
            posts_per_minute_per_ip=platform.settings.open311_posts_per_minute_per_ip,
            reads_per_minute_per_ip=platform.settings.open311_reads_per_minute_per_ip,
        ),
    )
    # appeals.routing at intake: after commit, dispatch confident citizen appeals or queue them
    # with suggestions; a person's different dispatch is stored as a correction
    subscribe_routing(
        platform.bus,
        RoutingRecorder(
            routing=platform.routing,
            cases=platform.cases,
            reads=platform.read,
            uows=platform.uow,
            clock=platform.clock,
            threshold=platform.settings.router_auto_dispatch_confidence,
            categories_by=platform.portal.categories_by,
        ),
    )
    # appeals.duplicates: similar open cases nearby (suggestions; merging is the engine's)
    platform.duplicates = DuplicateService(
        platform.cases,
        clock=platform.clock,
        min_text=platform.settings.duplicates_min_text_similarity,
    )
    # appeals.knowledge and appeals.hotline: the operator console's knowledge base (知识库) and
    # the call flow (受理 / 直派 / 直接办结 / 合并) over the engine, routing and duplicates
    platform.knowledge = KnowledgeService(platform.clock)
    platform.hotline = HotlineService(
        cases=platform.cases,
        duplicates=platform.duplicates,
        knowledge=platform.knowledge,
        geo=platform.geo,
        city_code=platform.settings.default_city_code,
        routing=platform.routing,
        appeals=platform.portal,
        recipients=platform.notify,
    )


VITALS_JOB_SECONDS = 60.0


def _evaluate_vitals(platform: Platform) -> None:
    with platform.uow() as uow:
        platform.vitals.evaluate_due(uow, platform.clock.now())
