"""insight.hotspots: hot issues (热点诉求) — what many citizens are raising now.

Owns: grouping recent messages by topic and place (text similarity, named places, time), the
heat index that ranks the groups, their titles, spans, places, representative messages and
members, and the early flag for emerging topics (新发热点). It is a pure engine over typed records
(`Message` in, `HotspotReport` out): it reads no tables and no files — the caller (the CLI on an
exported CSV today; the API over appeals later) hands it the messages. See docs/insight/hotspots.md.
"""
