"""insight: read models over the other domains — today the case performance indicators
(数字城管 evaluation: 立案率, 派遣率, 准确派遣率, 按期处置率, 结案率, 按期结案率, 返工率, 延期率).

Owns: the indicator formulas (pure, in indicators.py), who may see them (policy.py) and the
report use case (service.py). Does not own: the counts themselves — the case engine computes
them (`cases.indicator_counts`); insight never reads case tables and never writes anything.
"""
