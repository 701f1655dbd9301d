"""The knowledge base (知识库) for consultations: short articles (title, question keywords, the
answer to give, the consultation category and the unit whose rules the answer states) that the
hotline operator searches while a caller waits, and answers from on the spot (直接办结 is the
case engine's `answer` action; this package only stores and finds the words).

Owns: the articles table, validation of an article, search ranking (`model`, pure), file import
(`io`) and the shipped default set (`default_articles.yaml`). Does not own: the case record of an
answered call (cases) or the hotline's flow (appeals.hotline)."""
