"""insight.evaluation: performance evaluation (综合评价 / 绩效考核) of streets, departments and
posts (受理员, 派遣员, 监督员/网格员, 值班长, 承办人) from the case engine's counts.

Owns: the composite formulas, weights and grades (model.py, config.py: pure), the periods
(periods.py: pure), rankings and trends (ranking.py: pure), who may see them (policy.py), the use
cases (service.py) and the Excel export (export.py). Does not own the counts: the case engine
computes them (`cases.evaluation_counts`, `cases.evaluation_cases`). docs/insight/evaluation.md
writes the formulas down with worked examples.
"""
