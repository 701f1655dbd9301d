"""The demo city: areas (real Hangzhou 下城区 data when given, generated otherwise), the default
responsibility list, departments, staff accounts and weeks of simulated case traffic moving
through the workflow, so every page and indicator has something real to show."""
