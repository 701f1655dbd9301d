"""Alarm rules (告警规则): rules as data per device type, area or device, their streaming
evaluation per device, YAML import and export, and the backtest of a rule over past readings.
Pure logic: the tables that keep rule versions and the service that feeds readings live elsewhere
and call this package through `public`."""
