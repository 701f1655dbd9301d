"""Generated reports (智能报表): daily, weekly and monthly bulletins over the case engine's counts,
laid out as 12345 and 数字城管 bulletins are (headline figures with 同比/环比, sources, categories,
trend, rankings, case lists, an annex per unit), rendered as .xlsx, .docx and .pdf and archived.
The model (period.py, model.py) is pure; reads go through cases.public."""
