"""cases: the unified case engine of 一网统管.

Owns the category taxonomy and responsibility list (权责清单: which unit handles what, under
which stage time limits), the working calendar and SLA arithmetic, the case workflow (accept →
register → dispatch → handle → verify → close → evaluate) and every case's immutable history.

Does not own areas (geo), departments, users or credentials (org); it reaches them through
their `public.py` only.
"""
