"""What others (web, cli) may use of insight."""

from cityops.insight.citymap.model import MAX_POINTS as CITY_MAP_MAX_POINTS
from cityops.insight.citymap.model import parse_bbox
from cityops.insight.citymap.service import CityMapService
from cityops.insight.evaluation.config import EvaluationConfig, EvaluationView
from cityops.insight.evaluation.config import load_config as load_evaluation_config
from cityops.insight.evaluation.model import KIND_NAMES_ZH as SUBJECT_KIND_NAMES
from cityops.insight.evaluation.model import SubjectKind
from cityops.insight.evaluation.ranking import SubjectScore
from cityops.insight.evaluation.service import DrillDown, EvaluationService, KindReport
from cityops.insight.hotspots.analysis import find_hotspots
from cityops.insight.hotspots.model import (
    HeatParts,
    HeatWeights,
    HotIssue,
    HotspotReport,
    HotspotSettings,
)
from cityops.insight.hotspots.model import Message as HotspotMessage
from cityops.insight.hotspots.service import HotIssueAnswer, HotIssueService
from cityops.insight.indicators import COUNT_FIELDS, COUNT_NAMES_ZH, INDICATORS, Indicator
from cityops.insight.keysites.model import KNOWN_KINDS as KEY_SITE_KINDS
from cityops.insight.keysites.model import MAX_SITES as KEY_SITES_MAX
from cityops.insight.keysites.model import NEAR_M as KEY_SITE_NEAR_M
from cityops.insight.keysites.model import SiteRow as KeySiteRow
from cityops.insight.keysites.model import kind_code as key_site_kind
from cityops.insight.keysites.model import parse_csv as parse_key_sites_csv
from cityops.insight.keysites.model import parse_geojson as parse_key_sites_geojson
from cityops.insight.keysites.service import (
    KeySiteDetail,
    KeySiteImport,
    KeySiteService,
    KeySitesRejected,
)
from cityops.insight.keysites.store import KeySite
from cityops.insight.policy import VITAL_VIEWERS
from cityops.insight.reports.model import Report
from cityops.insight.reports.period import PeriodKind, ReportPeriod, parse_period
from cityops.insight.reports.policy import REPORT_BUILDERS, REPORT_READERS
from cityops.insight.reports.render import FORMATS as REPORT_FORMATS
from cityops.insight.reports.render import MEDIA_TYPES as REPORT_MEDIA_TYPES
from cityops.insight.reports.render import ReportFormat
from cityops.insight.reports.service import ReportOptions, ReportService
from cityops.insight.reports.store import ArchivedReport
from cityops.insight.service import (
    CaseCountsSource,
    GroupBy,
    IndicatorReport,
    IndicatorRow,
    IndicatorService,
)
from cityops.insight.vitals.aqi import (
    AQI_LEVELS,
    AqiItem,
    AqiLevel,
    AqiResult,
    Pollutant,
    aqi_level,
    daily_aqi,
    hourly_aqi,
    iaqi,
)
from cityops.insight.vitals.definition_set import DefinitionSet, ImportResult, import_definitions
from cityops.insight.vitals.definitions import (
    AlertLevel,
    AppealSource,
    Baseline,
    CaseSource,
    DefinitionError,
    Direction,
    FiringAction,
    FiringPolicy,
    FormulaSource,
    IndicatorDefinition,
    SensingAggregation,
    SensingSource,
    SeriesSource,
    SourceKind,
    SpatialLevel,
    Thresholds,
    VitalCategory,
)
from cityops.insight.vitals.expression import ExpressionError, Formula, parse_formula
from cityops.insight.vitals.registry import (
    dump_definitions,
    import_yaml,
    load_catalog,
    parse_definitions,
)
from cityops.insight.vitals.states import (
    IndicatorState,
    VitalEvaluation,
    VitalStatus,
    VitalTransition,
    evaluate_vital,
)
from cityops.insight.vitals.traffic_index import (
    RoadClass,
    SegmentFlow,
    TpiConversion,
    TrafficIndex,
    TrafficState,
    network_tpi,
    tpi_band,
)
from cityops.insight.vitals_runtime.events import VitalChanged
from cityops.insight.vitals_runtime.model import (
    RunReport,
    TrendPoint,
    VitalAreas,
    VitalBoard,
    VitalCurrent,
    VitalThreshold,
    VitalTransitionView,
    VitalTrend,
)
from cityops.insight.vitals_runtime.service import VitalsService

__all__ = [
    "AQI_LEVELS",
    "CITY_MAP_MAX_POINTS",
    "COUNT_FIELDS",
    "COUNT_NAMES_ZH",
    "INDICATORS",
    "KEY_SITES_MAX",
    "KEY_SITE_KINDS",
    "KEY_SITE_NEAR_M",
    "REPORT_BUILDERS",
    "REPORT_FORMATS",
    "REPORT_MEDIA_TYPES",
    "REPORT_READERS",
    "SUBJECT_KIND_NAMES",
    "VITAL_VIEWERS",
    "AlertLevel",
    "AppealSource",
    "AqiItem",
    "AqiLevel",
    "AqiResult",
    "ArchivedReport",
    "Baseline",
    "CaseCountsSource",
    "CaseSource",
    "CityMapService",
    "DefinitionError",
    "DefinitionSet",
    "Direction",
    "DrillDown",
    "EvaluationConfig",
    "EvaluationService",
    "EvaluationView",
    "ExpressionError",
    "FiringAction",
    "FiringPolicy",
    "Formula",
    "FormulaSource",
    "GroupBy",
    "HeatParts",
    "HeatWeights",
    "HotIssue",
    "HotIssueAnswer",
    "HotIssueService",
    "HotspotMessage",
    "HotspotReport",
    "HotspotSettings",
    "ImportResult",
    "Indicator",
    "IndicatorDefinition",
    "IndicatorReport",
    "IndicatorRow",
    "IndicatorService",
    "IndicatorState",
    "KeySite",
    "KeySiteDetail",
    "KeySiteImport",
    "KeySiteRow",
    "KeySiteService",
    "KeySitesRejected",
    "KindReport",
    "PeriodKind",
    "Pollutant",
    "Report",
    "ReportFormat",
    "ReportOptions",
    "ReportPeriod",
    "ReportService",
    "RoadClass",
    "RunReport",
    "SegmentFlow",
    "SensingAggregation",
    "SensingSource",
    "SeriesSource",
    "SourceKind",
    "SpatialLevel",
    "SubjectKind",
    "SubjectScore",
    "Thresholds",
    "TpiConversion",
    "TrafficIndex",
    "TrafficState",
    "TrendPoint",
    "VitalAreas",
    "VitalBoard",
    "VitalCategory",
    "VitalChanged",
    "VitalCurrent",
    "VitalEvaluation",
    "VitalStatus",
    "VitalThreshold",
    "VitalTransition",
    "VitalTransitionView",
    "VitalTrend",
    "VitalsService",
    "aqi_level",
    "daily_aqi",
    "dump_definitions",
    "evaluate_vital",
    "find_hotspots",
    "hourly_aqi",
    "iaqi",
    "import_definitions",
    "import_yaml",
    "key_site_kind",
    "load_catalog",
    "load_evaluation_config",
    "network_tpi",
    "parse_bbox",
    "parse_definitions",
    "parse_formula",
    "parse_key_sites_csv",
    "parse_key_sites_geojson",
    "parse_period",
    "tpi_band",
]
