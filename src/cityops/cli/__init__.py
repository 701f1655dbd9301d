"""The `cityops` command line (Typer). Each command group lives in its own module here."""

from __future__ import annotations

import typer

from cityops.cli import (
    demo,
    geo,
    insight_hotspots,
    insight_vitals,
    knowledge,
    open311,
    platform_cmds,
    reports,
    router,
    sensing_mqtt,
    sensing_simulate,
    sensing_storage,
    taxonomy,
    users,
)

app = typer.Typer(
    name="cityops",
    help="cityops 城市运行一网统管平台",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
platform_cmds.register(app)
demo.register(app)
app.add_typer(
    geo.app, name="geo", help="Areas: import boundaries, generate grids (区/街道/社区/网格)"
)
app.add_typer(
    taxonomy.app, name="taxonomy", help="Category taxonomy and responsibility list (权责清单)"
)
app.add_typer(users.app, name="users", help="Users and roles")
app.add_typer(
    router.app, name="router", help="Smart routing model (智能分拨): train, eval, cv, corrections"
)
app.add_typer(open311.app, name="open311", help="Open311 GeoReport v2: api keys")
app.add_typer(knowledge.app, name="knowledge", help="Knowledge base for consultations (知识库)")
sensing = typer.Typer(no_args_is_help=True)  # the `cityops sensing` group: add commands to it
sensing_mqtt.register(sensing)
sensing_storage.register(sensing)
sensing_simulate.register(sensing)
app.add_typer(sensing, name="sensing", help="Sensing (物联感知): telemetry ingestion, devices")
insight_hotspots.app.add_typer(
    insight_vitals.app, name="vitals", help="City vital signs (城市体征): evaluate, import"
)
app.add_typer(
    insight_hotspots.app, name="insight", help="Operation centre read models: hot issues (热点诉求)"
)
app.add_typer(
    reports.app, name="reports", help="Generated reports (智能报表): daily, weekly, monthly"
)


def main() -> None:
    app()
