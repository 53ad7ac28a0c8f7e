"""The published report: ``published/report/index.html``, one self-contained page per published set.

``render.build_report`` reads the freshly written ``analytics.duckdb`` (before it is swapped in)
and the run's manifest. A section is one query (``sections/<name>.sql``) and one template
(``templates/<name>.html.j2``), registered in ``render.SECTIONS``.
"""
